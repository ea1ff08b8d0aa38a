// The projection from what the fleet measured: the last 7 complete UTC days of DailyUsage (fewer
// when the fleet is younger: only days with turns count).
import type { Db } from "@/server/db/client";
import { utcDay } from "@/server/core/turn-record";
import { projectFromMeasured, type MeasuredProjection } from "@/server/core/projection/project-fleet";

export async function readMeasuredProjection(
  db: Db,
  now = new Date(),
): Promise<MeasuredProjection & { from: string; to: string }> {
  const to = utcDay(new Date(now.getTime() - 86_400_000));
  const from = utcDay(new Date(now.getTime() - 7 * 86_400_000));
  const [row] = await db.sql.query<{
    days: string;
    turns: string;
    local: string;
    claude: string;
    localCost: string;
    counterfactual: string;
  }>(
    `select count(distinct "day")::bigint as days, coalesce(sum("turns"), 0)::bigint as turns,
            coalesce(sum(case when "lane" <> 'claude' then "turns" else 0 end), 0)::bigint as local,
            coalesce(sum(case when "lane" = 'claude' then "costMicroUsd" else 0 end), 0)::bigint as claude,
            coalesce(sum(case when "lane" <> 'claude' then "costMicroUsd" else 0 end), 0)::bigint as "localCost",
            coalesce(sum("counterfactualMicroUsd"), 0)::bigint as counterfactual
     from "DailyUsage" where "day" >= $1::date and "day" <= $2::date`,
    [from, to],
  );
  const projection = projectFromMeasured({
    days: Math.max(1, Number(row?.days ?? 0)),
    turns: Number(row?.turns ?? 0),
    localTurns: Number(row?.local ?? 0),
    claudeSpendMicroUsd: BigInt(row?.claude ?? 0),
    localCostMicroUsd: BigInt(row?.localCost ?? 0),
    counterfactualMicroUsd: BigInt(row?.counterfactual ?? 0),
  });
  return { ...projection, from, to };
}
