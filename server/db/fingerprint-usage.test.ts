// FingerprintDailyUsage made three ways agrees, on each database: as the turn writer adds to it batch
// by batch, as the migration that created the table backfills it from the turns already stored, and
// as the repair tool rebuilds it.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import type { Db } from "@/server/db/client";
import type { Lane } from "@/server/core/lanes";
import type { TurnRecord } from "@/server/core/turn-record";
import { fingerprintOf } from "@/server/core/turns/fingerprint";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { readMigrationFiles } from "./migrate";
import { rebuildDailyUsage, recordTurns } from "./record-turns";

const DAY = 86_400_000;
const NOW = new Date("2026-11-30T09:30:00.000Z");
const AGENTS = ["loash", "worker-1", "ops"];
const LANES: Lane[] = ["local", "claude", "local_careful", "sidecar", "claude"];
const TASKS = ["heartbeat", "code-review", null, "git-fetch", "log-summarization"];
const FINGERPRINTS = ["poll the mailbox 3", "review PR 7", "fetch repo 2", "summarise job 9"].map((i) =>
  fingerprintOf(i)!,
);

/** 300 turns over 12 days: agents, lanes, task types, costs (some unpriced) and fingerprints (some none) vary. */
function turns(): TurnRecord[] {
  return Array.from({ length: 300 }, (_, n) =>
    testTurn({
      agentId: AGENTS[n % 3]!,
      lane: LANES[n % 5]!,
      taskTypeId: TASKS[(n * 7) % 5]!,
      fingerprint: n % 11 === 10 ? null : FINGERPRINTS[(n * 3) % 4]!,
      contextForcedClaude: n % 13 === 0,
      costMicroUsd: n % 17 === 0 ? null : BigInt(n * 37),
      counterfactualMicroUsd: n % 19 === 0 ? null : BigInt(n * 53),
      startedAt: new Date(NOW.getTime() - ((n * 7_919) % 1_000) * ((12 * DAY) / 1_000) - n),
    }),
  );
}

for (const target of testDatabases()) {
  describe(`FingerprintDailyUsage on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      db = await target.create();
      await seedCatalogue(db);
      for (const id of AGENTS) await addAgent(db, { id });
      // In batches, out of time order, as several flushes write them.
      const all = turns();
      for (let b = 0; b < 4; b++)
        await recordTurns(
          db,
          all.filter((_, k) => k % 4 === b),
        );
    });
    const rows = () =>
      db.prisma.fingerprintDailyUsage.findMany({
        orderBy: [{ day: "asc" }, { fingerprint: "asc" }, { agentId: "asc" }],
      });

    it("is backfilled by its migration from the turns already stored exactly as the writer kept it", async () => {
      const written = await rows();
      expect(written.length).toBeGreaterThan(50);
      expect(written.reduce((n, r) => n + r.turns, 0)).toBe(300 - 27); // every turn with a fingerprint
      const migration = readMigrationFiles().find((f) => f.name.endsWith("_fingerprint_daily_usage"))!;
      await db.sql.transaction(async (tx) => {
        await tx.exec(`drop table "FingerprintDailyUsage"`);
        await tx.exec(migration.sql);
      });
      expect(await rows()).toEqual(written);
    });

    it("is rebuilt by the repair tool exactly as the writer kept it", async () => {
      const written = await rows();
      await db.sql.exec(`delete from "FingerprintDailyUsage"`);
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 30 * DAY), new Date(NOW.getTime() + DAY));
      expect(await rows()).toEqual(written);
    });
  });
}
