// POST /api/v1/turns: agents that call a provider themselves report their turns, up to 1,000 at a
// time. The batch is validated whole: one bad item is a 400 naming its index and field, and
// nothing is stored. Only plausible usage is taken (REPORTED_TURN_LIMITS: token counts a model
// can use in one turn, started within the last day and not in the future). Costs are computed
// here from the usage, exactly as for gateway turns; the turns are stored as `reported`, and the
// charts show them apart from what the gateway metered.
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
import { BODY_LIMITS, readJsonBody } from "@/server/http/read-request-body";
import { describeZodError } from "@/server/core/errors";
import { LANES, type Lane } from "@/server/core/lanes";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { priceClaudeTurn, priceLocalTurn } from "@/server/core/cost/price-turn";
import { usageFromAnthropic } from "@/server/core/cost/usage-from-anthropic";
import { electricityMicroUsdPerKwh } from "@/server/core/settings-defaults";
import type { TurnRecord } from "@/server/core/turn-record";
import { countTurns } from "@/server/metrics/offload-metrics";

/** What one reported turn may claim. The price table has no context windows, so one figure for every model. */
export const REPORTED_TURN_LIMITS = {
  /** Input tokens of one turn (uncached, cache reads and cache writes together): twice the largest context window (1M). */
  maxInputTokens: 2_000_000,
  /** Output tokens of one turn: above every model's largest answer (128k). */
  maxOutputTokens: 200_000,
  /** A turn must have started within this long before the report... */
  maxAgeMs: 86_400_000,
  /** ...and no later than this after it (the agent's clock may run ahead). */
  futureSlackMs: 5 * 60_000,
  /** Latency, generation and load times: a day. */
  maxDurationMs: 86_400_000,
} as const;

const formatted = (n: number) => n.toLocaleString("en-US");
const whole = (max: number, what: string) =>
  z
    .number({ error: `expected a whole number of ${what}` })
    .int(`expected a whole number of ${what}`)
    .min(0, "must not be negative")
    .max(max, `at most ${formatted(max)} ${what} in one turn`);
const inputTokens = whole(REPORTED_TURN_LIMITS.maxInputTokens, "input tokens");
const durationMs = whole(REPORTED_TURN_LIMITS.maxDurationMs, "milliseconds");
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
/** Text that goes into the Turn row: no control characters (Postgres refuses NUL in text). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !hasControlCharacter(s), "must not contain control characters");

const reportedTurn = z.object({
  agent: agentIdSchema.optional(),
  taskType: text(100).min(1).nullable().optional(),
  lane: z.enum(LANES).optional(),
  model: text(200).min(1, "model is required"),
  usage: z
    .object({
      input_tokens: inputTokens,
      output_tokens: whole(REPORTED_TURN_LIMITS.maxOutputTokens, "output tokens"),
      cache_read_input_tokens: inputTokens.nullable().optional(),
      cache_creation_input_tokens: inputTokens.nullable().optional(),
      cache_creation: z
        .object({
          ephemeral_5m_input_tokens: inputTokens.nullable().optional(),
          ephemeral_1h_input_tokens: inputTokens.nullable().optional(),
        })
        .nullable()
        .optional(),
    })
    .superRefine((u, ctx) => {
      const writes = Math.max(
        u.cache_creation_input_tokens ?? 0,
        (u.cache_creation?.ephemeral_5m_input_tokens ?? 0) + (u.cache_creation?.ephemeral_1h_input_tokens ?? 0),
      );
      const total = u.input_tokens + (u.cache_read_input_tokens ?? 0) + writes;
      if (total > REPORTED_TURN_LIMITS.maxInputTokens)
        ctx.addIssue({
          code: "custom",
          message: `input, cache read and cache write tokens add up to ${formatted(total)}, more than the ${formatted(REPORTED_TURN_LIMITS.maxInputTokens)} one turn can read`,
        });
    }),
  latencyMs: durationMs.optional(),
  /** Local turns: GPU time, for the electricity cost. */
  generationMs: durationMs.optional(),
  loadMs: durationMs.optional(),
  status: z.enum(["ok", "error"]).optional(),
  startedAt: z.iso.datetime({ offset: true, error: "expected an ISO 8601 time with its offset" }).optional(),
});

const reportTurnsSchema = z.object({
  turns: z.array(reportedTurn).min(1, "turns must not be empty").max(1_000, "at most 1,000 turns per request"),
});

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
      if (Number.isNaN(at))
        throw new OffloadError("BAD_REQUEST", `turns.${i}.startedAt: not a real time`, `turns.${i}.startedAt`);
      if (at > now.getTime() + REPORTED_TURN_LIMITS.futureSlackMs)
        throw new OffloadError(
          "BAD_REQUEST",
          `turns.${i}.startedAt: in the future (${t.startedAt}; Offload's clock says ${now.toISOString()})`,
          `turns.${i}.startedAt`,
        );
      if (at < now.getTime() - REPORTED_TURN_LIMITS.maxAgeMs)
        throw new OffloadError(
          "BAD_REQUEST",
          `turns.${i}.startedAt: more than a day ago (${t.startedAt}); report turns within 24 hours`,
          `turns.${i}.startedAt`,
        );
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
  countTurns(records);
  if (caller.kind === "agent") await touchAgent(db, caller.agentId, now);
  return { recorded: records.length, turnIds: records.map((r) => r.id) };
}

export async function handleReportTurns(request: Request, database?: Db): Promise<Response> {
  try {
    const db = database ?? (await getDb());
    const caller = await authenticateCaller(db, request.headers, { allowAdmin: true });
    const body = await readJsonBody(request, BODY_LIMITS.turns);
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
