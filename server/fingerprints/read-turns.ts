// The Turns page's data: the fleet's recent turns with why each went where it did, and the
// recurring fingerprints (the same instruction again and again) by turns a day and cost, with the
// lane a matching turn takes now. SQL aggregations over Turn (indexed by startedAt and by
// fingerprint), never every turn in memory.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Lane } from "@/server/core/lanes";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";

const WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

export const recentTurnsInput = z
  .object({
    limit: z.number().int().min(1).max(500).default(50),
    agentId: z.string().trim().min(1).optional(),
    fingerprint: z.string().trim().min(1).optional(),
  })
  .default({ limit: 50 });

export type RecentTurn = {
  id: string;
  startedAt: Date;
  agentId: string;
  agentName: string;
  taskTypeId: string | null;
  taskTypeName: string | null;
  lane: Lane;
  servedModel: string;
  status: string;
  reason: string | null;
  confidence: number | null;
  fingerprint: string | null;
  template: string | null;
  promptTokens: number | null;
  contextForcedClaude: boolean;
  costMicroUsd: bigint | null;
  latencyMs: number;
};

export async function readRecentTurns(db: Db, raw: z.input<typeof recentTurnsInput> = {}): Promise<RecentTurn[]> {
  const input = recentTurnsInput.parse(raw);
  const rows = await db.prisma.turn.findMany({
    where: {
      ...(input.agentId ? { agentId: input.agentId } : {}),
      ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    },
    orderBy: { startedAt: "desc" },
    take: input.limit,
    select: {
      id: true,
      startedAt: true,
      agentId: true,
      taskTypeId: true,
      lane: true,
      servedModel: true,
      status: true,
      reason: true,
      confidence: true,
      fingerprint: true,
      promptTokens: true,
      contextForcedClaude: true,
      costMicroUsd: true,
      latencyMs: true,
      agent: { select: { name: true } },
      taskType: { select: { name: true } },
    },
  });
  const ids = [...new Set(rows.flatMap((r) => (r.fingerprint ? [r.fingerprint] : [])))];
  const templates = new Map(
    (await db.prisma.fingerprint.findMany({ where: { id: { in: ids } }, select: { id: true, template: true } })).map(
      (f) => [f.id, f.template],
    ),
  );
  return rows.map(({ agent, taskType, ...r }) => ({
    ...r,
    agentName: agent.name,
    taskTypeName: taskType?.name ?? null,
    template: r.fingerprint ? (templates.get(r.fingerprint) ?? null) : null,
  }));
}

export const recurringInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(20),
    sort: z.enum(["turns", "cost"]).default("turns"),
    agentId: z.string().trim().min(1).optional(),
  })
  .default({ limit: 20, sort: "turns" });

export type RecurringFingerprint = {
  id: string;
  template: string;
  turns: number;
  turnsPerDay: number;
  agents: number;
  costMicroUsdPerDay: bigint;
  /** What the same turns would have cost on Claude, per day. */
  counterfactualMicroUsdPerDay: bigint;
  claudeShare: number;
  /** Turns that went to Claude only because of the local context. */
  contextForcedTurns: number;
  /** The lane a matching turn takes now: its rule's task type's lane, else the latest turn's. */
  lane: Lane;
  /** The task type a matching turn routes as now (the rule's, else the latest turn's). */
  taskTypeId: string | null;
  rule: { taskTypeId: string; assignedBy: string | null; assignedAt: Date | null } | null;
  lastSeenAt: Date;
};

type RecurringRow = {
  id: string;
  template: string;
  firstSeenAt: Date;
  ruleTaskTypeId: string | null;
  ruleLane: Lane | null;
  assignedBy: string | null;
  assignedAt: Date | null;
  turns: number;
  agents: number;
  claudeTurns: number;
  contextForcedTurns: number;
  cost: bigint;
  counterfactual: bigint;
  lastLane: Lane;
  lastTaskTypeId: string | null;
  lastSeenAt: Date;
};

export async function readRecurringFingerprints(
  db: Db,
  raw: z.input<typeof recurringInput> = {},
  now: Date = new Date(),
): Promise<{ windowDays: number; fingerprints: RecurringFingerprint[] }> {
  const input = recurringInput.parse(raw);
  const since = new Date(now.getTime() - WINDOW_DAYS * DAY_MS);
  const order = input.sort === "cost" ? `"counterfactual" desc, "turns" desc` : `"turns" desc, "counterfactual" desc`;
  const agentFilter = input.agentId ? `and t."agentId" = $3` : "";
  // One pass over the window's turns with hash aggregates only: per fingerprint and agent first (the
  // distinct agents are that level's rows), then per fingerprint. A count(distinct) or an ordered
  // array_agg in the same aggregate made Postgres sort every turn of the window by fingerprint (8.8 s
  // in EXPLAIN ANALYZE at 10,000,000 turns, the sort spilling to disk). The lane and task type of
  // each listed fingerprint's latest turn are then one index probe each (fingerprint, startedAt).
  const rows = await db.prisma.$queryRawUnsafe<RecurringRow[]>(
    `with per_agent as (
       select t."fingerprint", t."agentId", count(*) as "turns",
         count(*) filter (where t."lane" = 'claude') as "claudeTurns",
         count(*) filter (where t."contextForcedClaude") as "contextForcedTurns",
         sum(t."costMicroUsd") as "cost", sum(t."counterfactualMicroUsd") as "counterfactual",
         max(t."startedAt") as "lastSeenAt"
       from "Turn" t
       where t."startedAt" >= $1 and t."fingerprint" is not null ${agentFilter}
       group by t."fingerprint", t."agentId"
     ),
     recent as (
       select "fingerprint", sum("turns")::int as "turns", count(*)::int as "agents", sum("claudeTurns")::int as "claudeTurns",
         sum("contextForcedTurns")::int as "contextForcedTurns", coalesce(sum("cost"), 0)::bigint as "cost",
         coalesce(sum("counterfactual"), 0)::bigint as "counterfactual", max("lastSeenAt") as "lastSeenAt"
       from per_agent
       group by "fingerprint"
       order by ${order}
       limit $2
     )
     select f."id", f."template", f."firstSeenAt", f."taskTypeId" as "ruleTaskTypeId", tt."lane"::text as "ruleLane",
       f."assignedBy", f."assignedAt", r."turns", r."agents", r."claudeTurns", r."contextForcedTurns", r."cost",
       r."counterfactual", l."lane"::text as "lastLane", l."taskTypeId" as "lastTaskTypeId", r."lastSeenAt"
     from recent r join "Fingerprint" f on f."id" = r."fingerprint"
     left join "TaskType" tt on tt."id" = f."taskTypeId"
     cross join lateral (
       select t."lane", t."taskTypeId" from "Turn" t
       where t."fingerprint" = r."fingerprint" and t."startedAt" >= $1 ${agentFilter}
       order by t."startedAt" desc limit 1
     ) l
     order by ${order}`,
    since,
    input.limit,
    ...(input.agentId ? [input.agentId] : []),
  );
  return {
    windowDays: WINDOW_DAYS,
    fingerprints: rows.map((r) => {
      const days = daysObserved(since, r.firstSeenAt, now);
      return {
        id: r.id,
        template: r.template,
        turns: r.turns,
        turnsPerDay: perDay(r.turns, days),
        agents: r.agents,
        costMicroUsdPerDay: microUsdPerDay(BigInt(r.cost), days),
        counterfactualMicroUsdPerDay: microUsdPerDay(BigInt(r.counterfactual), days),
        claudeShare: r.turns ? r.claudeTurns / r.turns : 0,
        contextForcedTurns: r.contextForcedTurns,
        lane: r.ruleLane ?? r.lastLane,
        taskTypeId: r.ruleTaskTypeId ?? r.lastTaskTypeId,
        rule: r.ruleTaskTypeId
          ? { taskTypeId: r.ruleTaskTypeId, assignedBy: r.assignedBy, assignedAt: r.assignedAt }
          : null,
        lastSeenAt: r.lastSeenAt,
      };
    }),
  };
}
