// One agent's page: who it is, its turns a day by lane (DailyUsage, 30 days), its most frequent
// task types (7 days) and its most recent turns (the Turn table, newest first, by index).
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { utcDay } from "@/server/core/turn-record";
import type { Lane } from "@/server/core/lanes";
import type { DayLaneUsage } from "@/server/core/charts/cost-series";
import { agentIdSchema, type AgentSummary } from "@/server/agents/manage-agents";

export type AgentTaskTypeRow = { id: string; name: string; turns: number; costMicroUsd: bigint; localTurns: number };
export type AgentTurnRow = {
  id: string;
  startedAt: Date;
  lane: Lane;
  taskTypeId: string | null;
  /** The model the agent asked for; differs from servedModel only under an operator's model mapping. */
  requestedModel: string;
  servedModel: string;
  status: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  loadMs: number | null;
  costMicroUsd: bigint | null;
  escalatedFromTurnId: string | null;
  reason: string | null;
  errorMessage: string | null;
  /** gateway, reported (by the agent, not metered), sidecar (a script's zero-token turn) or demo. */
  source: string;
};
export type AgentDetail = {
  agent: AgentSummary & { keyActive: boolean };
  from: string;
  to: string;
  byDayLane: DayLaneUsage[];
  taskTypes: AgentTaskTypeRow[];
  recentTurns: AgentTurnRow[];
};

export async function readAgentDetail(db: Db, rawId: string, now: Date = new Date()): Promise<AgentDetail> {
  const id = agentIdSchema.parse(rawId);
  const agent = await db.prisma.agent.findUnique({ where: { id } });
  if (!agent || agent.removedAt) throw new OffloadError("NOT_FOUND", `no agent ${id}`, "id");
  const to = utcDay(now);
  const from = utcDay(new Date(now.getTime() - 29 * 86_400_000));
  const weekFrom = utcDay(new Date(now.getTime() - 6 * 86_400_000));
  type DayRow = {
    day: string;
    lane: Lane;
    turns: string;
    cost: string;
    cf: string;
    input: string;
    output: string;
    cacheRead: string;
    cacheWrite: string;
    reportedTurns: string;
    reportedCost: string;
  };
  const [days, types, turns] = await Promise.all([
    db.sql.query<DayRow>(
      `select to_char("day", 'YYYY-MM-DD') as day, "lane", sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost, sum("counterfactualMicroUsd")::bigint as cf,
              sum("inputTokens")::bigint as input, sum("outputTokens")::bigint as output, sum("cacheReadTokens")::bigint as "cacheRead", sum("cacheWriteTokens")::bigint as "cacheWrite",
              sum("reportedTurns")::bigint as "reportedTurns", sum("reportedCostMicroUsd")::bigint as "reportedCost"
       from "DailyUsage" where "agentId" = $1 and "day" between $2::date and $3::date group by 1, 2 order by 1, 2`,
      [id, from, to],
    ),
    db.sql.query<{ id: string; name: string | null; turns: string; cost: string; local: string }>(
      `select u."taskTypeId" as id, t."name" as name, sum(u."turns")::bigint as turns, sum(u."costMicroUsd")::bigint as cost,
              coalesce(sum(u."turns") filter (where u."lane" <> 'claude'), 0)::bigint as local
       from "DailyUsage" u left join "TaskType" t on t."id" = u."taskTypeId"
       where u."agentId" = $1 and u."day" between $2::date and $3::date group by 1, 2 order by 3 desc limit 10`,
      [id, weekFrom, to],
    ),
    db.prisma.turn.findMany({
      where: { agentId: id },
      orderBy: { startedAt: "desc" },
      take: 50,
      select: {
        id: true,
        startedAt: true,
        lane: true,
        taskTypeId: true,
        requestedModel: true,
        servedModel: true,
        status: true,
        inputTokens: true,
        outputTokens: true,
        latencyMs: true,
        loadMs: true,
        costMicroUsd: true,
        escalatedFromTurnId: true,
        reason: true,
        errorMessage: true,
        source: true,
      },
    }),
  ]);
  return {
    agent: {
      id: agent.id,
      name: agent.name,
      role: agent.role,
      pin: agent.pin,
      localModel: agent.localModel,
      claudeModel: agent.claudeModel,
      heartbeatMinutes: agent.heartbeatMinutes,
      activeHours: agent.activeHours,
      externalModel: agent.externalModel,
      keyPrefix: agent.apiKeyPrefix,
      createdAt: agent.createdAt,
      lastSeenAt: agent.lastSeenAt,
      keyActive: agent.apiKeyHash !== null,
    },
    from,
    to,
    byDayLane: days.map((r) => ({
      day: r.day,
      lane: r.lane,
      turns: Number(r.turns),
      costMicroUsd: BigInt(r.cost),
      counterfactualMicroUsd: BigInt(r.cf),
      inputTokens: BigInt(r.input),
      outputTokens: BigInt(r.output),
      cacheReadTokens: BigInt(r.cacheRead),
      cacheWriteTokens: BigInt(r.cacheWrite),
      reportedTurns: Number(r.reportedTurns),
      reportedCostMicroUsd: BigInt(r.reportedCost),
    })),
    taskTypes: types.map((r) => ({
      id: r.id,
      name: r.name ?? (r.id || "unlabelled"),
      turns: Number(r.turns),
      costMicroUsd: BigInt(r.cost),
      localTurns: Number(r.local),
    })),
    recentTurns: turns.map((t) => ({
      ...t,
      inputTokens: Number(t.inputTokens),
      outputTokens: Number(t.outputTokens),
      latencyMs: Number(t.latencyMs),
      loadMs: t.loadMs === null ? null : Number(t.loadMs),
    })),
  };
}
