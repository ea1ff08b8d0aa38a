// DailyUsageTotal: DailyUsage summed per UTC day x lane over one of its dimensions, a row per day x
// agent x lane (dimension "agent") and per day x task type x lane (dimension "taskType", "" for
// unlabelled turns). The Costs page reads it: a few hundred rows a day, where DailyUsage has agents x
// task types x lanes (145,000 rows for 90 days of 40 agents and 26 task types took 97 ms at p50 to
// aggregate three ways, docs/benchmarks.md). Every writer of DailyUsage moves it by the same amounts
// in the same transaction: the turn writer (record-turns.ts), repricing (models/manage-model-prices.ts)
// and the repair tool (rebuildDailyUsage). Like DailyUsage it is never retired.

/** The summed columns DailyUsage and DailyUsageTotal share. */
export const USAGE_SUMS = [
  "turns",
  "errorTurns",
  "escalatedTurns",
  "unpricedTurns",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "latencyMsTotal",
  "costMicroUsd",
  "counterfactualMicroUsd",
  "reportedTurns",
  "reportedCostMicroUsd",
] as const;

export type UsageSums = {
  turns: number;
  errorTurns: number;
  escalatedTurns: number;
  unpricedTurns: number;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  latencyMsTotal: bigint;
  costMicroUsd: bigint;
  counterfactualMicroUsd: bigint;
  reportedTurns: number;
  reportedCostMicroUsd: bigint;
};

/** What a batch adds to one DailyUsage row. */
export type DailyUsageDelta = { day: string; agentId: string; taskTypeId: string; lane: string } & UsageSums;

export type UsageDimension = "agent" | "taskType";
export type DailyUsageTotalDelta = { day: string; dimension: UsageDimension; key: string; lane: string } & UsageSums;

export const zeroSums = (): UsageSums => ({
  turns: 0,
  errorTurns: 0,
  escalatedTurns: 0,
  unpricedTurns: 0,
  inputTokens: 0n,
  outputTokens: 0n,
  cacheReadTokens: 0n,
  cacheWriteTokens: 0n,
  latencyMsTotal: 0n,
  costMicroUsd: 0n,
  counterfactualMicroUsd: 0n,
  reportedTurns: 0,
  reportedCostMicroUsd: 0n,
});

function addSums(into: UsageSums, from: UsageSums): void {
  into.turns += from.turns;
  into.errorTurns += from.errorTurns;
  into.escalatedTurns += from.escalatedTurns;
  into.unpricedTurns += from.unpricedTurns;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.cacheWriteTokens += from.cacheWriteTokens;
  into.latencyMsTotal += from.latencyMsTotal;
  into.costMicroUsd += from.costMicroUsd;
  into.counterfactualMicroUsd += from.counterfactualMicroUsd;
  into.reportedTurns += from.reportedTurns;
  into.reportedCostMicroUsd += from.reportedCostMicroUsd;
}

const totalKey = (d: { day: string; dimension: string; key: string; lane: string }) =>
  `${d.day}\u0000${d.dimension}\u0000${d.key}\u0000${d.lane}`;

/**
 * A batch's DailyUsage deltas summed by day x agent x lane and day x task type x lane, in key order:
 * every writer locks these rows in the same order, so that writers never deadlock.
 */
export function totalsOf(daily: readonly DailyUsageDelta[]): DailyUsageTotalDelta[] {
  const byKey = new Map<string, DailyUsageTotalDelta>();
  for (const d of daily) {
    for (const [dimension, key] of [
      ["agent", d.agentId],
      ["taskType", d.taskTypeId],
    ] as const) {
      const k = totalKey({ day: d.day, dimension, key, lane: d.lane });
      let t = byKey.get(k);
      if (!t) byKey.set(k, (t = { day: d.day, dimension, key, lane: d.lane, ...zeroSums() }));
      addSums(t, d);
    }
  }
  return [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, t]) => t);
}

const WIDTH = 4 + USAGE_SUMS.length;
const quotedSums = USAGE_SUMS.map((c) => `"${c}"`);

/** One upsert of `rows` deltas into DailyUsageTotal: every sum adds up. */
export function totalUpsertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => {
    const p = (i: number) => `$${r * WIDTH + i + 1}`;
    return `(${[`${p(0)}::date`, p(1), p(2), `${p(3)}::"Lane"`, ...USAGE_SUMS.map((_, i) => p(4 + i))].join(", ")})`;
  });
  return `insert into "DailyUsageTotal" as t ("day", "dimension", "key", "lane", ${quotedSums.join(", ")})
values ${values.join(",\n")}
on conflict ("day", "dimension", "key", "lane") do update set
${quotedSums.map((c) => `${c} = t.${c} + excluded.${c}`).join(",\n")}`;
}

export function totalParams(t: DailyUsageTotalDelta): unknown[] {
  return [t.day, t.dimension, t.key, t.lane, ...USAGE_SUMS.map((c) => t[c])];
}

/** Upserts at most this many rows a statement (WIDTH parameters each). */
export const TOTAL_CHUNK = 500;

/**
 * DailyUsageTotal computed from DailyUsage for the days matching `where` (a condition on DailyUsage's
 * "day", or none: every day), in key order. The repair tool runs it; the migration that created the
 * table (20261130201446_daily_usage_total) holds a copy, and the bench's fill runs it.
 */
export function dailyUsageTotalFromDailySql(where = ""): string {
  const filter = where ? ` where ${where}` : "";
  const casts: Record<string, string> = {
    turns: "int",
    errorTurns: "int",
    escalatedTurns: "int",
    unpricedTurns: "int",
    reportedTurns: "int",
  };
  return `insert into "DailyUsageTotal" ("day", "dimension", "key", "lane", ${quotedSums.join(", ")})
select "day", "dimension", "key", "lane", ${USAGE_SUMS.map((c) => `sum("${c}")::${casts[c] ?? "bigint"}`).join(", ")}
from (
  select d.*, 'agent' as "dimension", d."agentId" as "key" from "DailyUsage" d${filter}
  union all
  select d.*, 'taskType' as "dimension", d."taskTypeId" as "key" from "DailyUsage" d${filter}
) u
group by "day", "dimension", "key", "lane"
order by "day", "dimension", "key", "lane"`;
}
