import { afterAll, describe, expect, it } from "vitest";
import { seed, seedCatalogue, seedDemoFleet } from "./seed";
import { rebuildDailyUsage } from "./record-turns";
import { SEED_CATALOGUE } from "@/server/core/catalogue";
import { DEFAULT_PRICE_TABLE, USAGE_TYPES } from "@/server/core/cost/price-table";
import { DEMO_AGENTS } from "@/server/core/demo-fleet";
import { LANE_TIER } from "@/server/core/lanes";
import { testDatabases } from "@/server/testing/test-databases";

const NOW = new Date("2026-11-20T15:30:00.000Z");

const dailySnapshot = `select to_char("day", 'YYYY-MM-DD') as day, "agentId", "taskTypeId", "lane"::text as lane, "turns", "errorTurns", "escalatedTurns",
  "unpricedTurns", "inputTokens"::text, "outputTokens"::text, "cacheReadTokens"::text, "cacheWriteTokens"::text, "latencyMsTotal"::text,
  "costMicroUsd"::text, "counterfactualMicroUsd"::text from "DailyUsage" order by 1, 2, 3, 4`;

for (const target of testDatabases()) {
  describe(`seed on ${target.kind}`, () => {
    afterAll(() => target.cleanup());

    it("seeds the catalogue, prices, settings and the demo fleet, idempotently", async () => {
      const db = await target.create();
      const first = await seed(db, { demo: true, now: NOW });
      expect(first.taskTypes).toBe(SEED_CATALOGUE.length);
      expect(first.prices).toBe(DEFAULT_PRICE_TABLE.length * USAGE_TYPES.length);
      expect(first.demoAgents).toBe(5);

      const byTier = (tier: number) => SEED_CATALOGUE.filter((t) => LANE_TIER[t.lane] === tier).length;
      expect([byTier(1), byTier(2), byTier(3)]).toEqual([6, 6, 8]);
      expect(byTier(0)).toBeGreaterThanOrEqual(3);

      const agents = await db.prisma.agent.findMany({ orderBy: { id: "asc" } });
      expect(agents.map((a) => a.id)).toEqual(DEMO_AGENTS.map((a) => a.id).sort());
      expect(agents.filter((a) => a.pin === "local").map((a) => a.id)).toEqual(["worker-1"]);
      expect(agents.every((a) => a.apiKeyHash === null)).toBe(true);

      const turns = await db.prisma.turn.count();
      expect(turns).toBe(first.demoTurns);
      // 5 agents x 192 heartbeat slots a day over 30 days, plus the escalation re-runs.
      expect(turns).toBeGreaterThan(27_000);
      expect(await db.prisma.turn.count({ where: { startedAt: { gt: NOW } } })).toBe(0);

      const second = await seed(db, { demo: true, now: NOW });
      expect(second).toEqual({ taskTypes: 0, prices: 0, settings: 0, demoAgents: 0, demoTurns: 0 });
      expect(await db.prisma.turn.count()).toBe(turns);
    });

    it("keeps DailyUsage equal to a recount of the raw turns", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      await seedDemoFleet(db, NOW, 4);
      const kept = await db.sql.query(dailySnapshot);
      await rebuildDailyUsage(db, new Date("2026-10-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z"));
      const recount = await db.sql.query(dailySnapshot);
      expect(recount.length).toBeGreaterThan(50);
      expect(kept).toEqual(recount);
      const [{ turns }] = (await db.sql.query<{ turns: string }>(
        `select sum("turns")::text as turns from "DailyUsage"`,
      )) as [{ turns: string }];
      expect(Number(turns)).toBe(await db.prisma.turn.count());
    });

    it("never overwrites what an operator changed, and re-adds what is missing", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      await db.prisma.taskType.update({
        where: { id: "heartbeat" },
        data: { lane: "claude", reason: "operator says so" },
      });
      await db.prisma.setting.update({ where: { key: "gpuWatts" }, data: { value: 220 } });
      await db.prisma.taskType.delete({ where: { id: "code-review" } });
      const again = await seedCatalogue(db);
      expect(again.taskTypes).toBe(1);
      const heartbeat = await db.prisma.taskType.findUniqueOrThrow({ where: { id: "heartbeat" } });
      expect(heartbeat.lane).toBe("claude");
      expect(heartbeat.reason).toBe("operator says so");
      expect((await db.prisma.setting.findUniqueOrThrow({ where: { key: "gpuWatts" } })).value).toBe(220);
    });

    it("skips the demo fleet when the operator already has agents, and --no-demo seeds the catalogue alone", async () => {
      const db = await target.create();
      const catalogueOnly = await seed(db, { demo: false, now: NOW });
      expect(catalogueOnly.demoAgents).toBe(0);
      expect(await db.prisma.agent.count()).toBe(0);
      await db.prisma.agent.create({ data: { id: "mine", name: "Mine" } });
      const withDemo = await seed(db, { demo: true, now: NOW });
      expect(withDemo.demoAgents).toBe(0);
      expect(await db.prisma.turn.count()).toBe(0);
    });
  });
}
