// FingerprintDailyUsage: per UTC day x fingerprint x agent, the totals of the turns that carry a
// fingerprint (the gateway's), with the day's latest turn's lane and task type. The Turns page's
// recurring turns (and the Tiers page's tray) read it instead of aggregating a week of Turn.
// recordTurns adds to it in the same transaction as the turns and DailyUsage; model pricing moves
// its costs with the turns'; rebuildDailyUsage recomputes it from Turn with DailyUsage. Like
// DailyUsage it is kept when raw turns are retired.
import { utcDay, wallClock, type TurnRecord } from "@/server/core/turn-record";

export type FingerprintUsageDelta = {
  day: string;
  fingerprint: string;
  agentId: string;
  turns: number;
  claudeTurns: number;
  contextForcedTurns: number;
  costMicroUsd: bigint;
  counterfactualMicroUsd: bigint;
  /** The latest turn's start, and its lane and task type (at equal starts, the greater turn id's). */
  lastSeenAt: Date;
  lastId: string;
  lastLane: string;
  lastTaskTypeId: string | null;
};

const keyOf = (d: { day: string; fingerprint: string; agentId: string }) =>
  `${d.day}\u0000${d.fingerprint}\u0000${d.agentId}`;

/**
 * The batch's turns with a fingerprint, summed per day x fingerprint x agent, in key order: every
 * writer locks these rows in the same order (as DailyUsage's), so that writers never deadlock.
 */
export function aggregateFingerprintUsage(turns: readonly TurnRecord[]): FingerprintUsageDelta[] {
  const byKey = new Map<string, FingerprintUsageDelta>();
  for (const t of turns) {
    if (!t.fingerprint) continue;
    const day = utcDay(t.startedAt);
    const key = keyOf({ day, fingerprint: t.fingerprint.id, agentId: t.agentId });
    let d = byKey.get(key);
    if (!d) {
      d = {
        day,
        fingerprint: t.fingerprint.id,
        agentId: t.agentId,
        turns: 0,
        claudeTurns: 0,
        contextForcedTurns: 0,
        costMicroUsd: 0n,
        counterfactualMicroUsd: 0n,
        lastSeenAt: t.startedAt,
        lastId: t.id,
        lastLane: t.lane,
        lastTaskTypeId: t.taskTypeId,
      };
      byKey.set(key, d);
    }
    d.turns += 1;
    if (t.lane === "claude") d.claudeTurns += 1;
    if (t.contextForcedClaude) d.contextForcedTurns += 1;
    d.costMicroUsd += t.costMicroUsd ?? 0n;
    d.counterfactualMicroUsd += t.counterfactualMicroUsd ?? 0n;
    const at = t.startedAt.getTime();
    const last = d.lastSeenAt.getTime();
    if (at > last || (at === last && t.id > d.lastId)) {
      d.lastSeenAt = t.startedAt;
      d.lastId = t.id;
      d.lastLane = t.lane;
      d.lastTaskTypeId = t.taskTypeId;
    }
  }
  return [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, d]) => d);
}

const SUMS = ["turns", "claudeTurns", "contextForcedTurns", "costMicroUsd", "counterfactualMicroUsd"] as const;
const WIDTH = 3 + SUMS.length + 3;

/** One upsert of `rows` deltas: sums add up; the latest turn's lane and task type win over older ones. */
export function fingerprintUsageUpsertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => {
    const p = (i: number) => `$${r * WIDTH + i + 1}`;
    const cols = [
      `${p(0)}::date`,
      p(1),
      p(2),
      ...SUMS.map((_, i) => p(3 + i)),
      `${p(3 + SUMS.length)}::timestamp(3)`,
      `${p(4 + SUMS.length)}::"Lane"`,
      p(5 + SUMS.length),
    ];
    return `(${cols.join(", ")})`;
  });
  const sums = SUMS.map((c) => `"${c}"`);
  // A row written later with the same start wins the tie (its turn id is not kept).
  const newer = `excluded."lastSeenAt" >= u."lastSeenAt"`;
  return `insert into "FingerprintDailyUsage" as u ("day", "fingerprint", "agentId", ${sums.join(", ")}, "lastSeenAt", "lastLane", "lastTaskTypeId")
values ${values.join(",\n")}
on conflict ("day", "fingerprint", "agentId") do update set
${sums.map((c) => `${c} = u.${c} + excluded.${c}`).join(",\n")},
"lastLane" = case when ${newer} then excluded."lastLane" else u."lastLane" end,
"lastTaskTypeId" = case when ${newer} then excluded."lastTaskTypeId" else u."lastTaskTypeId" end,
"lastSeenAt" = greatest(u."lastSeenAt", excluded."lastSeenAt")`;
}

export function fingerprintUsageParams(d: FingerprintUsageDelta): unknown[] {
  return [
    d.day,
    d.fingerprint,
    d.agentId,
    ...SUMS.map((c) => d[c]),
    wallClock(d.lastSeenAt),
    d.lastLane,
    d.lastTaskTypeId,
  ];
}

/** Upserts at most this many rows a statement (WIDTH parameters each). */
export const FINGERPRINT_USAGE_CHUNK = 200;

/**
 * FingerprintDailyUsage computed from Turn, for the turns matching `where` (a condition on Turn's
 * columns, or none: every turn): one GROUP BY, then each row's latest turn found by one probe of
 * Turn's (fingerprint, startedAt) index. Rows are written in key order, so that a day's rows sit
 * together in the table, as the writer leaves them: the recurring turns then read a week's rows from
 * a few hundred pages (written in GROUP BY's order they were spread over the whole table, and a
 * week's read took 85 ms instead of 6 to 14 at 3,000,000 turns). The rebuild, the bench's fill and (as a
 * copy) the migration that created the table use it.
 */
export function fingerprintUsageFromTurnsSql(where = ""): string {
  return `insert into "FingerprintDailyUsage" ("day", "fingerprint", "agentId", "turns", "claudeTurns", "contextForcedTurns",
  "costMicroUsd", "counterfactualMicroUsd", "lastSeenAt", "lastLane", "lastTaskTypeId")
select g."day", g."fingerprint", g."agentId", g."turns", g."claudeTurns", g."contextForcedTurns",
  g."costMicroUsd", g."counterfactualMicroUsd", g."lastSeenAt", l."lane", l."taskTypeId"
from (
  select "startedAt"::date as "day", "fingerprint", "agentId", count(*)::int as "turns",
    (count(*) filter (where "lane" = 'claude'))::int as "claudeTurns",
    (count(*) filter (where "contextForcedClaude"))::int as "contextForcedTurns",
    coalesce(sum("costMicroUsd"), 0)::bigint as "costMicroUsd",
    coalesce(sum("counterfactualMicroUsd"), 0)::bigint as "counterfactualMicroUsd",
    max("startedAt") as "lastSeenAt"
  from "Turn" where "fingerprint" is not null${where ? ` and ${where}` : ""}
  group by 1, 2, 3
) g
cross join lateral (
  select t."lane", t."taskTypeId" from "Turn" t
  where t."fingerprint" = g."fingerprint" and t."startedAt" = g."lastSeenAt" and t."agentId" = g."agentId"
  order by t."id" desc limit 1
) l
order by g."day", g."fingerprint", g."agentId"`;
}
