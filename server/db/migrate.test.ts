import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "./client";
import { applyMigrations, readMigrationFiles } from "./migrate";
import { testDatabases } from "@/server/testing/test-databases";

for (const target of testDatabases()) {
  describe(`migrations on ${target.kind}`, () => {
    afterAll(() => target.cleanup());

    it("applies every committed migration once and records it in _prisma_migrations", async () => {
      const db = await target.create(); // create() migrates
      const files = readMigrationFiles();
      const rows = await db.sql.query<{ migration_name: string; checksum: string }>(
        `select migration_name, checksum from "_prisma_migrations" order by migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
      expect(rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
      const again = await applyMigrations(db);
      expect(again.applied).toEqual([]);
      expect(again.alreadyApplied).toEqual(files.map((f) => f.name));
      const tables = await db.sql.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          "Agent",
          "TaskType",
          "TierChange",
          "ModelPrice",
          "Turn",
          "DailyUsage",
          "Setting",
          "HealthSample",
          "SmokeRun",
          "SmokeResult",
        ]),
      );
    });

    it("rolls a failing migration back whole and records nothing", async () => {
      const db = await target.create();
      const bad = {
        name: "99999999999999_bad",
        sql: `create table "Half" (id int); select * from "NoSuchTable";`,
        checksum: "x".repeat(64),
      };
      await expect(applyMigrations(db, [...readMigrationFiles(), bad])).rejects.toThrow(
        /99999999999999_bad failed and was rolled back/,
      );
      const half = await db.sql.query(`select to_regclass('"Half"') as t`);
      expect(half[0]).toEqual({ t: null });
      const recorded = await db.sql.query(`select 1 from "_prisma_migrations" where migration_name = $1`, [bad.name]);
      expect(recorded).toHaveLength(0);
    });

    if (target.createEmptyUrl) {
      it("applies each migration once when two processes start at the same time", async () => {
        const url = await target.createEmptyUrl!();
        const [a, b] = await Promise.all([openDb({ databaseUrl: url }), openDb({ databaseUrl: url })]);
        try {
          const [ra, rb] = await Promise.all([applyMigrations(a), applyMigrations(b)]);
          const files = readMigrationFiles().map((f) => f.name);
          expect([...ra.applied, ...rb.applied].sort()).toEqual(files.sort());
          const rows = await a.sql.query<{ n: string }>(`select count(*)::text as n from "_prisma_migrations"`);
          expect(Number(rows[0]!.n)).toBe(files.length);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    }
  });
}
