// The Costs page's data for a range of days, all from DailyUsageTotal (DailyUsage summed per day and
// lane by agent and by task type, db/daily-usage-total.ts; never raw turns): per day and lane, and
// totals by agent and by task type. Costs include what agents reported themselves
// (POST /api/v1/turns); that part is also given apart (reported*), since Offload did not meter it.
import type { Db } from "@/server/db/client";
import { utcDay } from "@/server/core/turn-record";
import type { Lane } from "@/server/core/lanes";
import type { DayLaneUsage } from "@/server/core/charts/cost-series";

/** The ranges the dashboard offers, days back from today. */
export const COST_RANGES = [7, 30, 90] as const;
export type CostRange = (typeof COST_RANGES)[number];

export type CostBreakdown = {
  id: string;
  name: string;
  turns: number;
  costMicroUsd: bigint;
  counterfactualMicroUsd: bigint;
  /** Of costMicroUsd: what agents reported, not metered. */
  reportedCostMicroUsd: bigint;
};

export type CostData = {
  from: string;
  to: string;
  days: CostRange;
  byDayLane: DayLaneUsage[];
  byAgent: CostBreakdown[];
  byTaskType: CostBreakdown[];
};

export async function readCosts(db: Db, days: CostRange, now: Date = new Date()): Promise<CostData> {
  const to = utcDay(now);
  const from = utcDay(new Date(now.getTime() - (days - 1) * 86_400_000));
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
  type GroupRow = { id: string; name: string | null; turns: string; cost: string; cf: string; reported: string };
  const [byDay, byAgent, byType] = await Promise.all([
    // Each aggregate groups the range's rows by plain columns first and formats or joins the few
    // groups after (grouping by to_char(day) or a joined name hashed every row's text). A day's lanes
    // are the sum of its task types' rows, each turn counted once.
    db.sql.query<DayRow>(
      `select to_char(g."day", 'YYYY-MM-DD') as day, g."lane", g.turns, g.cost, g.cf, g.input, g.output, g."cacheRead",
              g."cacheWrite", g."reportedTurns", g."reportedCost"
       from (select "day", "lane", sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost,
                    sum("counterfactualMicroUsd")::bigint as cf, sum("inputTokens")::bigint as input, sum("outputTokens")::bigint as output,
                    sum("cacheReadTokens")::bigint as "cacheRead", sum("cacheWriteTokens")::bigint as "cacheWrite",
                    sum("reportedTurns")::bigint as "reportedTurns", sum("reportedCostMicroUsd")::bigint as "reportedCost"
             from "DailyUsageTotal" where "dimension" = 'taskType' and "day" between $1::date and $2::date group by 1, 2) g
       order by g."day", g."lane"`,
      [from, to],
    ),
    db.sql.query<GroupRow>(
      `select g.id, a."name" as name, g.turns, g.cost, g.cf, g.reported
       from (select "key" as id, sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost,
                    sum("counterfactualMicroUsd")::bigint as cf, sum("reportedCostMicroUsd")::bigint as reported
             from "DailyUsageTotal" where "dimension" = 'agent' and "day" between $1::date and $2::date group by 1) g
       left join "Agent" a on a."id" = g.id
       order by g.cost desc, g.id`,
      [from, to],
    ),
    db.sql.query<GroupRow>(
      `select g.id, t."name" as name, g.turns, g.cost, g.cf, g.reported
       from (select "key" as id, sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost,
                    sum("counterfactualMicroUsd")::bigint as cf, sum("reportedCostMicroUsd")::bigint as reported
             from "DailyUsageTotal" where "dimension" = 'taskType' and "day" between $1::date and $2::date group by 1) g
       left join "TaskType" t on t."id" = g.id
       order by g.cost desc, g.id`,
      [from, to],
    ),
  ]);
  const group = (r: GroupRow, fallback: string): CostBreakdown => ({
    id: r.id,
    name: r.name ?? (r.id || fallback),
    turns: Number(r.turns),
    costMicroUsd: BigInt(r.cost),
    counterfactualMicroUsd: BigInt(r.cf),
    reportedCostMicroUsd: BigInt(r.reported),
  });
  return {
    from,
    to,
    days,
    byDayLane: byDay.map((r) => ({
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
    byAgent: byAgent.map((r) => group(r, "unknown agent")),
    byTaskType: byType.map((r) => group(r, "unlabelled")),
  };
}
