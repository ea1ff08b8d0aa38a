// Per-day totals over a range, from DailyUsage. Days without turns are absent (gaps, not zeros).
import type { Db } from "@/server/db/client";
import { utcDay } from "@/server/core/turn-record";

export type DailyTotal = {
  day: string;
  turns: number;
  localTurns: number;
  claudeSpendMicroUsd: bigint;
  localCostMicroUsd: bigint;
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
    counterfactual: string;
  }>(
    `select to_char("day", 'YYYY-MM-DD') as day,
            sum("turns")::bigint as turns,
            coalesce(sum("turns") filter (where "lane" <> 'claude'), 0)::bigint as "localTurns",
            coalesce(sum("costMicroUsd") filter (where "lane" = 'claude'), 0)::bigint as claude,
            coalesce(sum("costMicroUsd") filter (where "lane" <> 'claude'), 0)::bigint as local,
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
    counterfactualMicroUsd: BigInt(r.counterfactual),
  }));
}
