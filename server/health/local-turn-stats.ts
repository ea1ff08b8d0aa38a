// The fleet's own local turns as health evidence: the last 15 minutes' count, failures (the
// server failing: timeouts, refused connections, errors; not answers that failed a check), p95
// latency and p50 generation speed (output tokens over Ollama's eval time), and the last hour's cold loads, for the fleet or per Ollama host. Uses the Turn index on startedAt.
import type { Db } from "@/server/db/client";
import type { LocalTurnStats } from "@/server/core/health/judge-health";

type StatsRow = {
  host?: string | null;
  turns: string;
  failed: string;
  p95: number | null;
  tps: number | null;
  cold: string;
};

const STATS_COLUMNS = `count(*) filter (where "startedAt" >= $1::timestamptz) as turns,
            count(*) filter (where "startedAt" >= $1::timestamptz and ("status" = 'error' or ("status" = 'escalated' and ("errorMessage" like 'ollama%' or "errorMessage" like 'the local model did not answer%')))) as failed,
            percentile_cont(0.95) within group (order by "latencyMs") filter (where "startedAt" >= $1::timestamptz) as p95,
            percentile_cont(0.5) within group (order by "outputTokens"::float8 / ("evalMs"::float8 / 1000))
              filter (where "startedAt" >= $1::timestamptz and "evalMs" > 0 and "outputTokens" > 0) as tps,
            count(*) filter (where "loadMs" > 1000) as cold`;
const STATS_WHERE = `"startedAt" >= $2::timestamptz and "lane" <> 'claude' and "source" = 'gateway'`;

function statsOf(row: StatsRow | undefined): LocalTurnStats {
  return {
    turns: Number(row?.turns ?? 0),
    failed: Number(row?.failed ?? 0),
    p95LatencyMs: row?.p95 == null ? null : Math.round(Number(row.p95)),
    tokensPerSecondP50: row?.tps == null ? null : Number(row.tps),
    coldLoadsLastHour: Number(row?.cold ?? 0),
  };
}

const windows = (now: Date) => [
  new Date(now.getTime() - 15 * 60_000).toISOString(),
  new Date(now.getTime() - 60 * 60_000).toISOString(),
];

export async function readLocalTurnStats(db: Db, now = new Date()): Promise<LocalTurnStats> {
  const [row] = await db.sql.query<StatsRow>(`select ${STATS_COLUMNS} from "Turn" where ${STATS_WHERE}`, windows(now));
  return statsOf(row);
}

/** The same figures per Ollama host of the pool (Turn.localHost); a host without turns has none. */
export async function readLocalTurnStatsByHost(db: Db, now = new Date()): Promise<Map<string, LocalTurnStats>> {
  const rows = await db.sql.query<StatsRow>(
    `select "localHost" as host, ${STATS_COLUMNS} from "Turn" where ${STATS_WHERE} and "localHost" is not null group by "localHost"`,
    windows(now),
  );
  return new Map(rows.map((r) => [r.host!, statsOf(r)]));
}
