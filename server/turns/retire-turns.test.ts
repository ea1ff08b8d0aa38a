// The retention job on both databases: it retires exactly the turns before the cutover (midnight UTC
// turnRetentionDays days ago), in batches, records turnsRetainedFrom first and never moves it back,
// leaves DailyUsage and every other table as they were, is idempotent, runs once at a time (a second
// run, in this process or another instance, skips), and the readers that rebuild DailyUsage from Turn
// or count an agent's turns stop at the cutover.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";
import { rebuildDailyUsage, recordTurns } from "@/server/db/record-turns";
import { updateSettings } from "@/server/db/settings";
import { readTurnsRetainedFrom } from "@/server/db/turns-retained-from";
import { addAgent, removeAgent } from "@/server/agents/manage-agents";
import { renderMetrics } from "@/server/metrics/offload-metrics";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import type { TurnRecord } from "@/server/core/turn-record";
import { readTurnRetention, retireTurns, type RetireTurnsResult } from "./retire-turns";

const NOW = new Date("2026-11-30T16:45:00.000Z");
/** 31 days before 2026-11-30 (UTC): turns that started before it are retired. */
const CUTOVER = "2026-10-30";
const HOUR = 3_600_000;

/** Turns of two agents from 2026-10-20 to 2026-11-30, some on either side of the cutover's instant. */
function fixtureTurns(): TurnRecord[] {
  const turns: TurnRecord[] = [];
  for (let d = 0; d <= 41; d++) {
    const day = Date.UTC(2026, 9, 20 + d);
    for (const [i, hour] of [1, 9, 13, 22].entries()) {
      turns.push(
        testTurn({
          agentId: i % 2 ? "ops" : "loash",
          lane: i === 1 ? "local" : "claude",
          startedAt: new Date(day + hour * HOUR),
          costMicroUsd: i === 3 ? null : BigInt(1_000 + d),
          status: i === 2 ? "error" : "ok",
        }),
      );
    }
  }
  // Either side of the cutover's instant.
  turns.push(testTurn({ startedAt: new Date("2026-10-29T23:59:59.999Z") }));
  turns.push(testTurn({ startedAt: new Date("2026-10-30T00:00:00.000Z") }));
  return turns;
}

const FIXTURE = fixtureTurns();
const OLDER = FIXTURE.filter((t) => t.startedAt < new Date(`${CUTOVER}T00:00:00Z`));
const KEPT = FIXTURE.filter((t) => t.startedAt >= new Date(`${CUTOVER}T00:00:00Z`));

/**
 * Every table but Turn, as a digest of its rows (Setting without the retention job's own rows): what
 * the job must leave as it was, whichever rollup tables exist.
 */
async function otherTables(db: Db): Promise<Record<string, string>> {
  const tables = await db.sql.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not in ('Turn', '_prisma_migrations')
     order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const where =
      name === "Setting"
        ? `where t."key" not in ('turnsRetainedFrom', 'turnRetentionLastRun', 'turnRetentionDays')`
        : "";
    const [row] = await db.sql.query<{ n: number; digest: string | null }>(
      `select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest from "${name}" t ${where}`,
    );
    out[name] = `${row?.n}:${row?.digest}`;
  }
  return out;
}

const turnIds = async (db: Db) =>
  (await db.prisma.turn.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
const sortedIds = (turns: TurnRecord[]) => turns.map((t) => t.id).sort();

function done(result: RetireTurnsResult) {
  if (result.status !== "done") throw new Error(`expected a run, got ${result.status}`);
  return result;
}

/** A run held after its first batch (until `release`), to try a second one meanwhile. */
async function heldInFirstBatch(db: Db) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const inFirstBatch = new Promise<void>((resolve) => (started = resolve));
  const first = retireTurns(db, {
    now: NOW,
    batchTurns: 10,
    pauseMs: 0,
    afterBatch: async () => {
      started();
      await held;
    },
  });
  await inFirstBatch;
  return { first, release };
}

for (const target of testDatabases()) {
  describe(`retiring turns on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      db = await target.create();
      await addAgent(db, { id: "loash" });
      await addAgent(db, { id: "ops" });
      await recordTurns(db, FIXTURE);
      await updateSettings(db, { turnRetentionDays: 31 });
    });

    it("retires exactly the turns before midnight UTC 31 days ago, in batches, and leaves every other table as it was", async () => {
      const before = await otherTables(db);
      expect(before.DailyUsage).toMatch(/^[1-9]\d*:/);
      const result = done(await retireTurns(db, { now: NOW, batchTurns: 7, pauseMs: 0 }));
      expect(OLDER).toHaveLength(41);
      expect(result).toMatchObject({ retainedFrom: CUTOVER, retired: OLDER.length, batches: 6, stopped: false });
      expect(await turnIds(db)).toEqual(sortedIds(KEPT));
      expect(await otherTables(db)).toEqual(before);
      expect(await readTurnsRetainedFrom(db)).toEqual(new Date(`${CUTOVER}T00:00:00Z`));
      expect(await readTurnRetention(db, NOW)).toMatchObject({
        turnRetentionDays: 31,
        turnsRetainedFrom: CUTOVER,
        cutover: CUTOVER,
        lastRun: { retainedFrom: CUTOVER, retired: OLDER.length, stopped: false },
      });
      expect((await renderMetrics()).body).toMatch(/^offload_turns_retired_total \d+/m);
    });

    it("is idempotent: a second run finds nothing, and changes nothing", async () => {
      done(await retireTurns(db, { now: NOW, pauseMs: 0 }));
      const tables = await otherTables(db);
      const ids = await turnIds(db);
      const again = done(await retireTurns(db, { now: NOW, pauseMs: 0 }));
      expect(again).toMatchObject({ retainedFrom: CUTOVER, retired: 0, batches: 0 });
      expect(await turnIds(db)).toEqual(ids);
      expect(await otherTables(db)).toEqual(tables);
    });

    it("keeps every turn with 0, and never moves the retained day back", async () => {
      await updateSettings(db, { turnRetentionDays: 0 });
      expect(await retireTurns(db, { now: NOW })).toEqual({ status: "off" });
      expect(await turnIds(db)).toEqual(sortedIds(FIXTURE));
      expect(await readTurnsRetainedFrom(db)).toBeNull();

      await updateSettings(db, { turnRetentionDays: 31 });
      done(await retireTurns(db, { now: NOW, pauseMs: 0 }));
      // A longer period later: the retained day stays where it was (those turns are gone), nothing more goes.
      await updateSettings(db, { turnRetentionDays: 365 });
      expect(done(await retireTurns(db, { now: NOW }))).toMatchObject({ retainedFrom: CUTOVER, retired: 0 });
      expect((await readTurnRetention(db, NOW)).cutover).toBe("2025-11-30");
      // The next UTC day under 31 days again moves it by one day.
      await updateSettings(db, { turnRetentionDays: 31 });
      const tomorrow = done(await retireTurns(db, { now: new Date("2026-12-01T00:10:00Z"), pauseMs: 0 }));
      expect(tomorrow).toMatchObject({ retainedFrom: "2026-10-31", retired: 5 });
    });

    it("stops after a batch when the server stops, and the next run goes on", async () => {
      let batches = 0;
      const first = done(
        await retireTurns(db, {
          now: NOW,
          batchTurns: 10,
          pauseMs: 0,
          shouldStop: () => batches >= 2,
          afterBatch: () => void batches++,
        }),
      );
      expect(first).toMatchObject({ retired: 20, stopped: true });
      const rest = done(await retireTurns(db, { now: NOW, batchTurns: 10, pauseMs: 0 }));
      expect(rest).toMatchObject({ retired: OLDER.length - 20, stopped: false });
      expect(await turnIds(db)).toEqual(sortedIds(KEPT));
    });

    it("runs once at a time: a second run while one is under way skips, and two at once both end well", async () => {
      const { first, release } = await heldInFirstBatch(db);
      expect(await retireTurns(db, { now: NOW, pauseMs: 0 })).toEqual({ status: "busy" });
      release();
      expect(done(await first).retired).toBe(OLDER.length);
      expect(await turnIds(db)).toEqual(sortedIds(KEPT));

      // Fresh turns before the cutover (reported late), two runs at once: neither fails, one deletes them.
      const late = [
        testTurn({ startedAt: new Date("2026-10-01T12:00:00Z") }),
        testTurn({ startedAt: new Date("2026-10-02T12:00:00Z") }),
      ];
      await recordTurns(db, late);
      const both = await Promise.all([
        retireTurns(db, { now: NOW, pauseMs: 0 }),
        retireTurns(db, { now: NOW, pauseMs: 0 }),
      ]);
      const retired = both.map((r) => (r.status === "done" ? r.retired : 0));
      expect(retired.reduce((a, b) => a + b, 0)).toBe(2);
      expect(both.some((r) => r.status === "busy") || retired.includes(0)).toBe(true);
      expect(await turnIds(db)).toEqual(sortedIds(KEPT));
    });

    it("rebuildDailyUsage stops at the retained day: a retired day keeps its history", async () => {
      const daily = () =>
        db.sql.query(
          `select to_char("day", 'YYYY-MM-DD') as day, "agentId", "taskTypeId", "lane", "turns", "errorTurns", "unpricedTurns",
                  "costMicroUsd"::text as cost from "DailyUsage" order by 1, 2, 3, 4`,
        );
      const before = await daily();
      done(await retireTurns(db, { now: NOW, pauseMs: 0 }));
      const report = await rebuildDailyUsage(db, new Date("2026-10-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z"));
      expect(report).toEqual({ rebuilt: { from: CUTOVER, to: "2026-12-01" }, retiredBefore: CUTOVER });
      expect(await daily()).toEqual(before);
      // Wholly before it: nothing rebuilt, nothing erased.
      expect(await rebuildDailyUsage(db, new Date("2026-10-01T00:00:00Z"), new Date("2026-10-25T00:00:00Z"))).toEqual({
        rebuilt: null,
        retiredBefore: CUTOVER,
      });
      expect(await daily()).toEqual(before);
    });

    it("removeAgent counts the turns still kept and names the retained day", async () => {
      done(await retireTurns(db, { now: NOW, pauseMs: 0 }));
      const removed = await removeAgent(db, "ops");
      expect(removed).toEqual({
        id: "ops",
        turnsKept: KEPT.filter((t) => t.agentId === "ops").length,
        turnsRetainedFrom: CUTOVER,
      });
    });

    if (target.kind === "postgres") {
      it("runs on one instance at a time when two share the database", async () => {
        const url = await target.createEmptyUrl!();
        const a = await openDb({ databaseUrl: url, poolMax: 3 });
        const b = await openDb({ databaseUrl: url, poolMax: 3 });
        try {
          await applyMigrations(a);
          await addAgent(a, { id: "loash" });
          await addAgent(a, { id: "ops" });
          await recordTurns(a, FIXTURE);
          await updateSettings(a, { turnRetentionDays: 31 });
          const before = await otherTables(a);
          const { first, release } = await heldInFirstBatch(a);
          expect(await retireTurns(b, { now: NOW, pauseMs: 0 })).toEqual({ status: "busy" });
          release();
          expect(done(await first).retired).toBe(OLDER.length);
          // Once it is done, the other instance may run: nothing left.
          expect(done(await retireTurns(b, { now: NOW, pauseMs: 0 })).retired).toBe(0);
          // Both at once: both end, neither fails.
          const both = await Promise.all([retireTurns(a, { now: NOW }), retireTurns(b, { now: NOW })]);
          for (const r of both) expect(["done", "busy"]).toContain(r.status);
          expect(await turnIds(a)).toEqual(sortedIds(KEPT));
          expect(await otherTables(b)).toEqual(before);
        } finally {
          await a.close();
          await b.close();
        }
      });
    }
  });
}
