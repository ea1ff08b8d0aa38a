// Per-day totals over a range, from DailyUsage. Days without turns are absent (gaps, not zeros).
// Spend is what the gateway metered; what agents reported themselves is given apart.
import type { Db } from "@/server/db/client";
import { utcDay } from "@/server/core/turn-record";

export type DailyTotal = {
  day: string;
  turns: number;
  localTurns: number;
  /** Metered by the gateway. */
  claudeSpendMicroUsd: bigint;
  localCostMicroUsd: bigint;
  /** Reported by agents (POST /api/v1/turns), not metered. */
  reportedTurns: number;
  reportedCostMicroUsd: bigint;
  counterfactualMicroUsd: bigint;
};

export async function readDailyTotals(db: Db, days: number, now: Date = new Date()): Promise<DailyTotal[]> {
  const from = utcDay(new Date(now.getTime() - (days - 1) * 86_400_000));
  const rows = await db.sql.query<{
    day: string;
    turns: string;
    localTurns: string;
    claude: string;
    local: string;
    reportedTurns: string;
    reported: string;
    counterfactual: string;
  }>(
    `select to_char("day", 'YYYY-MM-DD') as day,
            sum("turns")::bigint as turns,
            coalesce(sum("turns") filter (where "lane" <> 'claude'), 0)::bigint as "localTurns",
            coalesce(sum("costMicroUsd" - "reportedCostMicroUsd") filter (where "lane" = 'claude'), 0)::bigint as claude,
            coalesce(sum("costMicroUsd" - "reportedCostMicroUsd") filter (where "lane" <> 'claude'), 0)::bigint as local,
            sum("reportedTurns")::bigint as "reportedTurns", sum("reportedCostMicroUsd")::bigint as reported,
            sum("counterfactualMicroUsd")::bigint as counterfactual
     from "DailyUsage" where "day" >= $1::date and "day" <= $2::date
     group by 1 order by 1`,
    [from, utcDay(now)],
  );
  return rows.map((r) => ({
    day: r.day,
    turns: Number(r.turns),
    localTurns: Number(r.localTurns),
    claudeSpendMicroUsd: BigInt(r.claude),
    localCostMicroUsd: BigInt(r.local),
    reportedTurns: Number(r.reportedTurns),
    reportedCostMicroUsd: BigInt(r.reported),
    counterfactualMicroUsd: BigInt(r.counterfactual),
  }));
}
