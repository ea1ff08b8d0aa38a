// Writes turns and keeps DailyUsage, FingerprintDailyUsage and DailyUsageTotal current in the same
// transaction: the charts read DailyUsage, the recurring turns FingerprintDailyUsage
// (fingerprint-usage.ts), the Costs page DailyUsageTotal (daily-usage-total.ts). A turn
// already stored (a replayed spool line) is refused by Turn's primary key, and the whole batch with
// it: nothing is counted twice. Gateway turns also mark their agents as seen (Agent.lastSeenAt), one
// statement per batch.
import type { Db } from "./client";
import { utcDay, wallClock, type TurnRecord } from "@/server/core/turn-record";
import { clampToRetained } from "@/server/core/turn-retention";
import { holdTurnsRetainedFrom } from "./turns-retained-from";
import {
  aggregateFingerprintUsage,
  FINGERPRINT_USAGE_CHUNK,
  fingerprintUsageFromTurnsSql,
  fingerprintUsageParams,
  fingerprintUsageUpsertSql,
} from "./fingerprint-usage";
import {
  dailyUsageTotalFromDailySql,
  TOTAL_CHUNK,
  totalParams,
  totalsOf,
  totalUpsertSql,
  USAGE_SUMS,
  zeroSums,
  type DailyUsageDelta,
} from "./daily-usage-total";

function aggregateDaily(turns: readonly TurnRecord[]): DailyUsageDelta[] {
  const byKey = new Map<string, DailyUsageDelta>();
  for (const t of turns) {
    const day = utcDay(t.startedAt);
    const taskTypeId = t.taskTypeId ?? "";
    const key = `${day}|${t.agentId}|${taskTypeId}|${t.lane}`;
    let d = byKey.get(key);
    if (!d) {
      d = { day, agentId: t.agentId, taskTypeId, lane: t.lane, ...zeroSums() };
      byKey.set(key, d);
    }
    d.turns += 1;
    if (t.status === "error") d.errorTurns += 1;
    if (t.status === "escalated") d.escalatedTurns += 1;
    if (t.costMicroUsd === null) d.unpricedTurns += 1;
    d.inputTokens += BigInt(t.inputTokens);
    d.outputTokens += BigInt(t.outputTokens);
    d.cacheReadTokens += BigInt(t.cacheReadTokens);
    d.cacheWriteTokens += BigInt(t.cacheWrite5mTokens + t.cacheWrite1hTokens);
    d.latencyMsTotal += BigInt(t.latencyMs);
    d.costMicroUsd += t.costMicroUsd ?? 0n;
    d.counterfactualMicroUsd += t.counterfactualMicroUsd ?? 0n;
    if (t.source === "reported") {
      d.reportedTurns += 1;
      d.reportedCostMicroUsd += t.costMicroUsd ?? 0n;
    }
  }
  return [...byKey.values()];
}

const DAILY_COLUMNS = USAGE_SUMS;

function dailyUpsertSql(rows: number): string {
  const width = 4 + DAILY_COLUMNS.length;
  const values = Array.from({ length: rows }, (_, r) => {
    const p = (i: number) => `$${r * width + i + 1}`;
    const cols = [`${p(0)}::date`, p(1), p(2), `${p(3)}::"Lane"`, ...DAILY_COLUMNS.map((_, i) => p(4 + i))];
    return `(${cols.join(", ")})`;
  });
  const quoted = DAILY_COLUMNS.map((c) => `"${c}"`);
  return `insert into "DailyUsage" ("day", "agentId", "taskTypeId", "lane", ${quoted.join(", ")})
values ${values.join(",\n")}
on conflict ("day", "agentId", "taskTypeId", "lane") do update set
${quoted.map((c) => `${c} = "DailyUsage".${c} + excluded.${c}`).join(",\n")}`;
}

const TURN_COLUMNS = [
  "id",
  "agentId",
  "taskTypeId",
  "lane",
  "requestedModel",
  "servedModel",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWrite5mTokens",
  "cacheWrite1hTokens",
  "latencyMs",
  "generationMs",
  "evalMs",
  "loadMs",
  "status",
  "escalatedFromTurnId",
  "reason",
  "errorMessage",
  "costMicroUsd",
  "counterfactualMicroUsd",
  "source",
  "startedAt",
  "fingerprint",
  "confidence",
  "promptTokens",
  "contextForcedClaude",
  "answerReserveTokens",
  "localHost",
] as const satisfies readonly (keyof TurnRecord)[];

const TURN_CASTS: Partial<Record<(typeof TURN_COLUMNS)[number], string>> = {
  lane: '::"Lane"',
  status: '::"TurnStatus"',
  startedAt: "::timestamp(3)",
};

function turnInsertSql(rows: number): string {
  const width = TURN_COLUMNS.length;
  const values = Array.from(
    { length: rows },
    (_, r) => `(${TURN_COLUMNS.map((c, i) => `$${r * width + i + 1}${TURN_CASTS[c] ?? ""}`).join(", ")})`,
  );
  return `insert into "Turn" (${TURN_COLUMNS.map((c) => `"${c}"`).join(", ")}) values ${values.join(",\n")}`;
}

/** Timestamps are stored as UTC wall-clock (Prisma's timestamp(3) convention). */
function turnParams(t: TurnRecord): unknown[] {
  return TURN_COLUMNS.map((c) => {
    if (c === "startedAt") return wallClock(t.startedAt);
    if (c === "fingerprint") return t.fingerprint?.id ?? null;
    if (c === "contextForcedClaude") return t.contextForcedClaude ?? false;
    return t[c] ?? null;
  });
}

const CHUNK = 1_000;

/**
 * Embedded PGlite runs each statement synchronously on this thread, and its promises resolve as
 * microtasks: a whole batch's transaction would run as one block, holding up every answer in
 * flight (15-20 ms a flush under a few hundred turns a second). On PGlite the turns go in smaller
 * statements, and the writer lets the event loop run between them. Postgres works in its own process.
 */
const PGLITE_CHUNK = 50;
const nextLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Per agent, when its latest gateway turn in the batch ended (as a timestamp(3) wall-clock string). */
function lastSeen(turns: readonly TurnRecord[]): [string, string][] {
  const seen = new Map<string, number>();
  for (const t of turns) {
    if (t.source !== "gateway") continue;
    const at = t.startedAt.getTime() + t.latencyMs;
    if ((seen.get(t.agentId) ?? -Infinity) < at) seen.set(t.agentId, at);
  }
  return [...seen].map(([agentId, at]) => [agentId, wallClock(new Date(at))]);
}

function lastSeenSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => `($${r * 2 + 1}, $${r * 2 + 2}::timestamp(3))`);
  return `update "Agent" as a set "lastSeenAt" = greatest(coalesce(a."lastSeenAt", v.seen), v.seen)
from (values ${values.join(", ")}) as v(id, seen)
where a."id" = v.id`;
}

/** The batch's fingerprints, once each: the first time one is seen it becomes a Fingerprint row. */
function newFingerprints(turns: readonly TurnRecord[]): [string, string, string][] {
  const byId = new Map<string, [string, string, string]>();
  for (const t of turns)
    if (t.fingerprint && !byId.has(t.fingerprint.id))
      byId.set(t.fingerprint.id, [t.fingerprint.id, t.fingerprint.template, wallClock(t.startedAt)]);
  return [...byId.values()];
}

function fingerprintInsertSql(rows: number): string {
  const values = Array.from({ length: rows }, (_, r) => `($${r * 3 + 1}, $${r * 3 + 2}, $${r * 3 + 3}::timestamp(3))`);
  return `insert into "Fingerprint" ("id", "template", "firstSeenAt") values ${values.join(", ")} on conflict ("id") do nothing`;
}

const dailyKey = (d: { day: string; agentId: string; taskTypeId: string; lane: string }) =>
  `${d.day}\u0000${d.agentId}\u0000${d.taskTypeId}\u0000${d.lane}`;
const compareKeys = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Fingerprints this process has seen committed, per database: Fingerprint rows are never deleted,
 * so a batch need not insert them again (in a fleet nearly every turn's fingerprint recurs). At
 * most STORED_FINGERPRINTS_MAX are remembered; the oldest are forgotten first.
 */
const storedFingerprints = new WeakMap<Db, Set<string>>();
const STORED_FINGERPRINTS_MAX = 20_000;

function rememberStored(db: Db, ids: readonly string[]): void {
  let known = storedFingerprints.get(db);
  if (!known) storedFingerprints.set(db, (known = new Set()));
  for (const id of ids) {
    if (known.size >= STORED_FINGERPRINTS_MAX) known.delete(known.values().next().value!);
    known.add(id);
  }
}

/** A statement, or a pause between two, longer than this is a stuck writer (the flush then retries). */
const STATEMENT_TIMEOUT_MS = 120_000;

/**
 * Inserts turns, adds them to DailyUsage, FingerprintDailyUsage and DailyUsageTotal, marks the
 * gateway's agents as seen and records new fingerprints, all or nothing. The statements go to the driver (pg or PGlite)
 * directly, not through Prisma: its per-parameter work on a batch's 29,000 parameters was half
 * of the writer's CPU (bench --ingest: 5,973 turns/s from one writer on Postgres through Prisma,
 * 9,854 without it).
 */
export async function recordTurns(db: Db, turns: readonly TurnRecord[]): Promise<void> {
  if (turns.length === 0) return;
  // Rows other writers (other instances, the next batch) may update too are locked in one order
  // everywhere: DailyUsage by its key, then FingerprintDailyUsage by its key, agents and
  // fingerprints by id, DailyUsageTotal by its key. Without it two writers that upsert the same days in another order
  // deadlock (40P01; seen with four writers, bench --ingest).
  const daily = aggregateDaily(turns).sort((x, y) => compareKeys(dailyKey(x), dailyKey(y)));
  const recurring = aggregateFingerprintUsage(turns);
  const totals = totalsOf(daily);
  const seen = lastSeen(turns).sort((x, y) => compareKeys(x[0], y[0]));
  const known = storedFingerprints.get(db);
  const fingerprints = newFingerprints(turns)
    .filter(([id]) => !known?.has(id))
    .sort((x, y) => compareKeys(x[0], y[0]));
  const embedded = db.kind === "pglite";
  const chunk = embedded ? PGLITE_CHUNK : CHUNK;
  const dailyChunk = embedded ? PGLITE_CHUNK : 200;
  const recurringChunk = embedded ? PGLITE_CHUNK : FINGERPRINT_USAGE_CHUNK;
  const totalChunk = embedded ? PGLITE_CHUNK : TOTAL_CHUNK;
  const pause = embedded ? nextLoopTurn : async () => {};
  await db.sql.transaction(async (tx) => {
    if (!embedded)
      await tx.exec(
        `set local statement_timeout = ${STATEMENT_TIMEOUT_MS}; set local idle_in_transaction_session_timeout = ${STATEMENT_TIMEOUT_MS}`,
      );
    for (let i = 0; i < turns.length; i += chunk) {
      const rows = turns.slice(i, i + chunk);
      await pause();
      await tx.query(turnInsertSql(rows.length), rows.flatMap(turnParams));
    }
    for (let i = 0; i < daily.length; i += dailyChunk) {
      const rows = daily.slice(i, i + dailyChunk);
      const params = rows.flatMap((d) => [d.day, d.agentId, d.taskTypeId, d.lane, ...DAILY_COLUMNS.map((c) => d[c])]);
      await pause();
      await tx.query(dailyUpsertSql(rows.length), params);
    }
    for (let i = 0; i < recurring.length; i += recurringChunk) {
      const rows = recurring.slice(i, i + recurringChunk);
      await pause();
      await tx.query(fingerprintUsageUpsertSql(rows.length), rows.flatMap(fingerprintUsageParams));
    }
    await pause();
    if (seen.length) await tx.query(lastSeenSql(seen.length), seen.flat());
    for (let i = 0; i < fingerprints.length; i += 500) {
      const rows = fingerprints.slice(i, i + 500);
      await tx.query(fingerprintInsertSql(rows.length), rows.flat());
    }
    // Last: every writer adds to the same few rows (today's per lane), so they are held for the
    // shortest time, until the commit.
    for (let i = 0; i < totals.length; i += totalChunk) {
      const rows = totals.slice(i, i + totalChunk);
      await pause();
      await tx.query(totalUpsertSql(rows.length), rows.flatMap(totalParams));
    }
  });
  rememberStored(
    db,
    fingerprints.map(([id]) => id),
  );
}

/**
 * Inside a transaction that rewrites usage totals other than by the turn writer's upserts (a rebuild,
 * a repricing): locks DailyUsage and its rollups against the writers until the transaction ends, in
 * the writer's order. The dashboard's reads go on; writers wait and keep their turns queued. Row
 * locks taken in another order than the writer's (an UPDATE ... FROM locks in join order) could
 * otherwise deadlock a writer against it.
 */
export async function lockUsageTables(tx: { $executeRawUnsafe(sql: string): Promise<number> }): Promise<void> {
  await tx.$executeRawUnsafe(
    `lock table "DailyUsage", "FingerprintDailyUsage", "DailyUsageTotal" in share row exclusive mode`,
  );
}

export type RebuildReport = {
  /** The days rebuilt, [from, to) as YYYY-MM-DD; null when none was left after the clamp. */
  rebuilt: { from: string; to: string } | null;
  /** The day turns are kept from, when the range asked for started before it: the days before keep their DailyUsage. */
  retiredBefore: string | null;
};

/**
 * Recomputes DailyUsage and FingerprintDailyUsage from Turn, and DailyUsageTotal from DailyUsage,
 * for the UTC days in [from, to) (repair
 * tool and consistency check). Never before turnsRetainedFrom: a retired day has no turns left, and
 * rebuilding it would erase its history.
 */
export async function rebuildDailyUsage(db: Db, from: Date, to: Date): Promise<RebuildReport> {
  return db.prisma.$transaction(
    async (tx) => {
      // Held until the end: the retention job cannot retire a day this rebuild is reading.
      const retainedFrom = await holdTurnsRetainedFrom(tx);
      // The turn writers wait while the days are rebuilt (they keep their turns queued): a writer
      // adding a new row between this delete and insert would fail the rebuild, and row locks taken
      // in another order than the writer's could deadlock it.
      await lockUsageTables(tx);
      const start = utcDay(clampToRetained(from, retainedFrom));
      const end = utcDay(to);
      const retiredBefore = retainedFrom && utcDay(from) < utcDay(retainedFrom) ? utcDay(retainedFrom) : null;
      if (start >= end) return { rebuilt: null, retiredBefore };
      await tx.$executeRawUnsafe(`delete from "DailyUsage" where "day" >= $1::date and "day" < $2::date`, start, end);
      await tx.$executeRawUnsafe(
        `insert into "DailyUsage" ("day", "agentId", "taskTypeId", "lane", "turns", "errorTurns", "escalatedTurns", "unpricedTurns",
         "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "latencyMsTotal", "costMicroUsd", "counterfactualMicroUsd",
         "reportedTurns", "reportedCostMicroUsd")
       select "startedAt"::date, "agentId", coalesce("taskTypeId", ''), "lane",
         count(*), count(*) filter (where "status" = 'error'), count(*) filter (where "status" = 'escalated'),
         count(*) filter (where "costMicroUsd" is null),
         sum("inputTokens"), sum("outputTokens"), sum("cacheReadTokens"), sum("cacheWrite5mTokens" + "cacheWrite1hTokens"),
         sum("latencyMs"), coalesce(sum("costMicroUsd"), 0), coalesce(sum("counterfactualMicroUsd"), 0),
         count(*) filter (where "source" = 'reported'), coalesce(sum("costMicroUsd") filter (where "source" = 'reported'), 0)
       from "Turn" where "startedAt" >= $1::date and "startedAt" < $2::date
       group by 1, 2, 3, 4`,
        start,
        end,
      );
      // The same order as the writer's: DailyUsage's rows, then FingerprintDailyUsage's.
      await tx.$executeRawUnsafe(
        `delete from "FingerprintDailyUsage" where "day" >= $1::date and "day" < $2::date`,
        start,
        end,
      );
      await tx.$executeRawUnsafe(
        fingerprintUsageFromTurnsSql(`"startedAt" >= $1::date and "startedAt" < $2::date`),
        start,
        end,
      );
      // Then DailyUsageTotal, from the DailyUsage rows just rebuilt.
      await tx.$executeRawUnsafe(
        `delete from "DailyUsageTotal" where "day" >= $1::date and "day" < $2::date`,
        start,
        end,
      );
      await tx.$executeRawUnsafe(dailyUsageTotalFromDailySql(`"day" >= $1::date and "day" < $2::date`), start, end);
      return { rebuilt: { from: start, to: end }, retiredBefore };
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}
