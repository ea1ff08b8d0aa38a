// POST /api/v1/turns: agents that call a provider themselves report their turns, up to 1,000 at a
// time. The batch is validated whole: one bad item is a 400 naming its index and field, and
// nothing is stored. Costs are computed here from the usage, exactly as for gateway turns.
import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { OffloadError } from "@/server/core/errors";
import { readSettings } from "@/server/db/settings";
import { readPriceMap } from "@/server/db/prices";
import { recordTurns } from "@/server/db/record-turns";
import { authenticateCaller, touchAgent } from "@/server/agents/authenticate-caller";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { errorResponse } from "@/server/http/error-response";
import { readJsonBody } from "@/server/http/read-request-body";
import { describeZodError } from "@/server/core/errors";
import { LANES, type Lane } from "@/server/core/lanes";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { priceClaudeTurn, priceLocalTurn } from "@/server/core/cost/price-turn";
import { usageFromAnthropic } from "@/server/core/cost/usage-from-anthropic";
import { electricityMicroUsdPerKwh } from "@/server/core/settings-defaults";
import type { TurnRecord } from "@/server/core/turn-record";

const count = z.number().int().min(0);

const reportedTurn = z.object({
  agent: agentIdSchema.optional(),
  taskType: z.string().trim().min(1).max(100).nullable().optional(),
  lane: z.enum(LANES).optional(),
  model: z.string().trim().min(1, "model is required").max(200),
  usage: z.object({
    input_tokens: count,
    output_tokens: count,
    cache_read_input_tokens: count.nullable().optional(),
    cache_creation_input_tokens: count.nullable().optional(),
    cache_creation: z
      .object({
        ephemeral_5m_input_tokens: count.nullable().optional(),
        ephemeral_1h_input_tokens: count.nullable().optional(),
      })
      .nullable()
      .optional(),
  }),
  latencyMs: count.max(86_400_000).optional(),
  /** Local turns: GPU time, for the electricity cost. */
  generationMs: count.max(86_400_000).optional(),
  loadMs: count.max(86_400_000).optional(),
  status: z.enum(["ok", "error"]).optional(),
  startedAt: z.iso.datetime({ offset: true }).optional(),
});

const reportTurnsSchema = z.object({
  turns: z.array(reportedTurn).min(1, "turns must not be empty").max(1_000, "at most 1,000 turns per request"),
});

const FUTURE_SLACK_MS = 5 * 60_000;
const OLDEST_MS = 400 * 86_400_000;

async function reportTurns(
  db: Db,
  caller: Awaited<ReturnType<typeof authenticateCaller>>,
  raw: unknown,
  now = new Date(),
): Promise<{ recorded: number; turnIds: string[] }> {
  const parsed = reportTurnsSchema.safeParse(raw);
  if (!parsed.success)
    throw new OffloadError("BAD_REQUEST", describeZodError(parsed.error), parsed.error.issues[0]?.path.join("."));
  const items = parsed.data.turns;
  const [settings, prices, taskTypes] = await Promise.all([
    readSettings(db),
    readPriceMap(db),
    db.prisma.taskType.findMany({ select: { id: true } }),
  ]);
  const known = new Set(taskTypes.map((t) => t.id));
  const agentIds = new Set<string>();
  items.forEach((t, i) => {
    const agent = caller.kind === "agent" ? caller.agentId : t.agent;
    if (!agent)
      throw new OffloadError("BAD_REQUEST", `turns.${i}.agent: required with the admin token`, `turns.${i}.agent`);
    if (caller.kind === "agent" && t.agent && t.agent !== caller.agentId)
      throw new OffloadError(
        "FORBIDDEN",
        `turns.${i}.agent: this key belongs to agent ${caller.agentId}`,
        `turns.${i}.agent`,
      );
    if (t.taskType && !known.has(t.taskType))
      throw new OffloadError(
        "BAD_REQUEST",
        `turns.${i}.taskType: unknown task type "${t.taskType}"`,
        `turns.${i}.taskType`,
      );
    if (t.startedAt) {
      const at = new Date(t.startedAt).getTime();
      if (at > now.getTime() + FUTURE_SLACK_MS)
        throw new OffloadError("BAD_REQUEST", `turns.${i}.startedAt: in the future`, `turns.${i}.startedAt`);
      if (at < now.getTime() - OLDEST_MS)
        throw new OffloadError("BAD_REQUEST", `turns.${i}.startedAt: more than 400 days ago`, `turns.${i}.startedAt`);
    }
    agentIds.add(agent);
  });
  const agents = new Map(
    (
      await db.prisma.agent.findMany({
        where: { id: { in: [...agentIds] }, removedAt: null },
        select: { id: true, claudeModel: true },
      })
    ).map((a) => [a.id, a]),
  );
  const records: TurnRecord[] = items.map((t, i) => {
    const agentId = caller.kind === "agent" ? caller.agentId : t.agent!;
    const agent = agents.get(agentId);
    if (!agent) throw new OffloadError("NOT_FOUND", `turns.${i}.agent: no agent ${agentId}`, `turns.${i}.agent`);
    const lane: Lane = t.lane ?? (/^(anthropic\/)?claude/i.test(t.model) ? "claude" : "local");
    const tokens = usageFromAnthropic(t.usage);
    let cost: bigint | null;
    let counterfactual: bigint | null;
    if (lane === "claude") {
      cost = priceClaudeTurn(t.model, tokens, prices).costMicroUsd;
      counterfactual = cost;
    } else {
      const local = priceLocalTurn(
        {
          generationMs: t.generationMs ?? 0,
          promptTokens: tokens.inputTokens + tokens.cacheReadTokens,
          outputTokens: tokens.outputTokens,
          claudeModel: agent.claudeModel,
        },
        {
          gpuWatts: settings.gpuWatts,
          electricityMicroUsdPerKwh: electricityMicroUsdPerKwh(settings),
          counterfactualCachedShare: settings.counterfactualCachedShare,
        },
        prices,
      );
      cost = local.costMicroUsd;
      counterfactual = local.counterfactualMicroUsd;
    }
    return {
      id: crypto.randomUUID(),
      agentId,
      taskTypeId: t.taskType ?? null,
      lane,
      requestedModel: t.model,
      servedModel: t.model,
      ...tokens,
      latencyMs: t.latencyMs ?? 0,
      generationMs: t.generationMs ?? null,
      loadMs: t.loadMs ?? null,
      status: t.status ?? "ok",
      escalatedFromTurnId: null,
      reason: "reported by the agent",
      errorMessage: null,
      costMicroUsd: cost,
      counterfactualMicroUsd: counterfactual,
      source: "reported",
      startedAt: t.startedAt ? new Date(t.startedAt) : now,
    };
  });
  await recordTurns(db, records);
  if (caller.kind === "agent") await touchAgent(db, caller.agentId, now);
  return { recorded: records.length, turnIds: records.map((r) => r.id) };
}

export async function handleReportTurns(request: Request, database?: Db): Promise<Response> {
  try {
    const db = database ?? (await getDb());
    const caller = await authenticateCaller(db, request.headers, { allowAdmin: true });
    const body = await readJsonBody(request);
    const report = await reportTurns(db, caller, body);
    return Response.json(report, {
      status: 201,
      headers: offloadHeaders({
        lane: "none",
        model: "none",
        reason: `${report.recorded} turn(s) reported by the agent`,
        turnId: report.turnIds.length === 1 ? report.turnIds[0] : null,
      }),
    });
  } catch (err) {
    return errorResponse(err, { lane: "none", model: "none" });
  }
}
