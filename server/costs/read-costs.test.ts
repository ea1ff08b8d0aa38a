// What agents report themselves (POST /api/v1/turns) is counted in the fleet's totals but shown
// apart from what the gateway metered: 1,000 reported turns once added $78.9M to "spend" with
// nothing telling them apart. The demo fleet (source "demo") keeps DESIGN.md's numbers.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { recordTurns } from "@/server/db/record-turns";
import { seed, seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { handleReportTurns } from "@/server/turns/report-turns";
import { readFleetOverview, savedMicroUsd } from "@/server/fleet/read-fleet-overview";
import { readDailyTotals } from "@/server/fleet/read-daily-totals";
import { readAgentDetail } from "@/server/fleet/read-agent-detail";
import { dailySeries } from "@/server/core/charts/cost-series";
import { readCosts } from "./read-costs";

for (const target of testDatabases()) {
  describe(`reported against metered cost on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      db = await target.create();
    });

    it("keeps reported turns' cost apart in the costs, fleet and agent read models", async () => {
      await seedCatalogue(db);
      const { key } = await addAgent(db, { id: "loash" });
      // Metered by the gateway: a Claude turn ($0.01) and a local one (electricity, 50 micro-dollars).
      await recordTurns(db, [
        testTurn({ costMicroUsd: 10_000n, counterfactualMicroUsd: 10_000n }),
        testTurn({ lane: "local", servedModel: "qwen3:8b", costMicroUsd: 50n, counterfactualMicroUsd: 20_000n }),
      ]);
      // Reported by the agent: 1M input + 100k output on Opus = $5 + $2.50.
      const res = await handleReportTurns(
        new Request("http://offload.test/api/v1/turns", {
          method: "POST",
          headers: { "x-api-key": key, "content-type": "application/json" },
          body: JSON.stringify({
            turns: [{ model: "claude-opus-4-6", usage: { input_tokens: 1_000_000, output_tokens: 100_000 } }],
          }),
        }),
        db,
      );
      expect(res.status).toBe(201);

      const costs = await readCosts(db, 7);
      const claudeToday = costs.byDayLane.find((r) => r.lane === "claude")!;
      expect(claudeToday).toMatchObject({
        turns: 2,
        costMicroUsd: 7_510_000n,
        reportedTurns: 1,
        reportedCostMicroUsd: 7_500_000n,
      });
      expect(costs.byAgent).toEqual([
        expect.objectContaining({ id: "loash", costMicroUsd: 7_510_050n, reportedCostMicroUsd: 7_500_000n }),
      ]);
      const today = dailySeries(costs.byDayLane, costs.from, costs.to, costs.to).at(-1)!;
      expect(today).toMatchObject({ totalTurns: 3, reportedTurns: 1, meteredUsd: 0.01005, reportedUsd: 7.5 });

      const overview = await readFleetOverview(db);
      expect(overview.today).toMatchObject({
        turns: 3,
        claudeTurns: 2,
        claudeSpendMicroUsd: 10_000n, // metered only
        localCostMicroUsd: 50n,
        reportedTurns: 1,
        reportedCostMicroUsd: 7_500_000n,
        counterfactualMicroUsd: 7_530_000n,
      });
      expect(savedMicroUsd(overview.today)).toBe(19_950n);
      const loash = overview.agents.find((a) => a.id === "loash")!;
      expect(loash.reportedCostPerDayMicroUsd).toBeGreaterThan(0n);
      expect(loash.costPerDayMicroUsd).toBeLessThan(loash.reportedCostPerDayMicroUsd);

      const [day] = await readDailyTotals(db, 7);
      expect(day).toMatchObject({
        turns: 3,
        claudeSpendMicroUsd: 10_000n,
        localCostMicroUsd: 50n,
        reportedTurns: 1,
        reportedCostMicroUsd: 7_500_000n,
      });

      const detail = await readAgentDetail(db, "loash");
      expect(detail.byDayLane.reduce((n, r) => n + r.reportedCostMicroUsd, 0n)).toBe(7_500_000n);
    });

    it("reports nothing for the demo fleet, whose turns are demo turns", async () => {
      const now = new Date("2026-11-30T12:00:00Z");
      await seed(db, { demo: true, now });
      const costs = await readCosts(db, 30, now);
      expect(costs.byDayLane.length).toBeGreaterThan(0);
      expect(costs.byDayLane.every((r) => r.reportedTurns === 0 && r.reportedCostMicroUsd === 0n)).toBe(true);
      const overview = await readFleetOverview(db, now);
      expect(overview.last7Days.reportedTurns).toBe(0);
      const total = costs.byDayLane.reduce((n, r) => n + r.costMicroUsd, 0n);
      const points = dailySeries(costs.byDayLane, costs.from, costs.to);
      const metered = points.reduce((n, p) => n + (p.meteredUsd ?? 0), 0);
      expect(metered).toBeCloseTo(Number(total) / 1_000_000, 6);
    });
  });
}
