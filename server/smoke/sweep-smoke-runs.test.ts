// Reading smoke runs never writes; the periodic sweep (and a cancel) ends runs whose process stopped.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { smokeRouter } from "@/server/api/routers/smoke";
import { listSmokeRuns, readSmokeRun } from "./read-smoke";
import { startSmokeRunSweep } from "./sweep-smoke-runs";
import { captureLogs } from "@/server/process/log";

for (const target of testDatabases()) {
  describe(`smoke run sweep on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      db = await target.create();
    });

    /** A run left `running` two hours ago by a process that has since stopped. */
    const orphan = () =>
      db.prisma.smokeRun.create({
        data: {
          model: "ollama/qwen3:8b",
          status: "running",
          total: 11,
          startedAt: new Date(Date.now() - 2 * 3_600_000),
        },
      });
    const statusOf = async (id: string) => (await db.prisma.smokeRun.findUniqueOrThrow({ where: { id } })).status;

    it("lists and reads runs without writing to them", async () => {
      const run = await orphan();
      const before = await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: run.id } });
      expect((await listSmokeRuns(db)).map((r) => [r.id, r.status])).toEqual([[run.id, "running"]]);
      expect((await readSmokeRun(db, run.id)).status).toBe("running");
      expect(await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: run.id } })).toEqual(before);
    });

    it("marks orphaned runs interrupted on its own schedule, and stops when told", async () => {
      const run = await orphan();
      const stop = startSmokeRunSweep(async () => db, 20);
      try {
        const deadline = Date.now() + 10_000;
        while ((await statusOf(run.id)) === "running" && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
      } finally {
        stop();
      }
      expect(await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
        status: "error",
        error: "interrupted: Offload stopped during the run",
      });
      const later = await orphan();
      await new Promise((r) => setTimeout(r, 100));
      expect(await statusOf(later.id)).toBe("running");
    });

    it("survives a sweep that fails, saying why", async () => {
      const logged = captureLogs("info");
      try {
        const stop = startSmokeRunSweep(() => Promise.reject(new Error("database closed")), 10);
        await new Promise((r) => setTimeout(r, 50));
        stop();
        expect(logged.lines[0]).toMatchObject({
          level: "error",
          msg: "the smoke run sweep failed",
          err: { message: "database closed" },
        });
      } finally {
        logged.stop();
      }
    });

    it("ends an orphaned run on cancel instead of calling it live elsewhere", async () => {
      const run = await orphan();
      const caller = smokeRouter.createCaller({ db, actor: { kind: "operator", name: "test" } });
      await expect(caller.cancel({ id: run.id })).rejects.toThrow(/is not running \(error\)/);
      expect(await statusOf(run.id)).toBe("error");
    });
  });
}
