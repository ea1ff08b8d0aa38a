// The Turns page's data: the fleet's recent turns with why each went where it did (Turn, indexed by
// startedAt and by fingerprint), and the recurring fingerprints (the same instruction again and
// again) by turns a day and cost, with the lane a matching turn takes now, summed from
// FingerprintDailyUsage (db/fingerprint-usage.ts): at most a row per day, fingerprint and agent, never
// a week of turns.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Lane } from "@/server/core/lanes";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";
import { utcDay } from "@/server/core/turn-record";

/** The recurring turns' window: 7 UTC days, today so far included (as the tier board's and the fleet's). */
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

/** One recurring fingerprint's row as the query reads it (the tests' straight aggregation of Turn gives the same shape). */
export type RecurringRow = {
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
): Promise<{ windowDays: number; since: Date; fingerprints: RecurringFingerprint[] }> {
  const input = recurringInput.parse(raw);
  const from = utcDay(new Date(now.getTime() - (WINDOW_DAYS - 1) * DAY_MS));
  const since = new Date(`${from}T00:00:00Z`);
  const order = input.sort === "cost" ? `"counterfactual" desc, "turns" desc` : `"turns" desc, "counterfactual" desc`;
  const agentFilter = input.agentId ? `and u."agentId" = $3` : "";
  // Two steps. The ranking: one hash aggregate of the window's rows by fingerprint, of the two sort
  // keys only. Then, for the listed fingerprints alone, their other sums and distinct agents and their
  // latest row's lane and task type, each a probe of (fingerprint, day): at most 7 x agents rows.
  const rows = await db.prisma.$queryRawUnsafe<RecurringRow[]>(
    `with ranked as (
       select u."fingerprint", sum(u."turns")::int as "turns", sum(u."counterfactualMicroUsd")::bigint as "counterfactual"
       from "FingerprintDailyUsage" u
       where u."day" >= $1::date ${agentFilter}
       group by u."fingerprint"
       order by ${order}
       limit $2
     )
     select f."id", f."template", f."firstSeenAt", f."taskTypeId" as "ruleTaskTypeId", tt."lane"::text as "ruleLane",
       f."assignedBy", f."assignedAt", r."turns", s."agents", s."claudeTurns", s."contextForcedTurns", s."cost",
       r."counterfactual", l."lastLane"::text as "lastLane", l."lastTaskTypeId", s."lastSeenAt"
     from ranked r join "Fingerprint" f on f."id" = r."fingerprint"
     left join "TaskType" tt on tt."id" = f."taskTypeId"
     cross join lateral (
       select count(distinct u."agentId")::int as "agents", sum(u."claudeTurns")::int as "claudeTurns",
         sum(u."contextForcedTurns")::int as "contextForcedTurns", sum(u."costMicroUsd")::bigint as "cost",
         max(u."lastSeenAt") as "lastSeenAt"
       from "FingerprintDailyUsage" u
       where u."fingerprint" = r."fingerprint" and u."day" >= $1::date ${agentFilter}
     ) s
     cross join lateral (
       select u."lastLane", u."lastTaskTypeId" from "FingerprintDailyUsage" u
       where u."fingerprint" = r."fingerprint" and u."day" >= $1::date ${agentFilter}
       order by u."lastSeenAt" desc limit 1
     ) l
     order by ${order}`,
    from,
    input.limit,
    ...(input.agentId ? [input.agentId] : []),
  );
  return {
    windowDays: WINDOW_DAYS,
    since,
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
