// DailyUsageTotal agrees with DailyUsage summed by agent and by task type, on each database: as the
// turn writer adds to it batch by batch, as repricing moves it (a price added and undone), as the
// repair tool rebuilds it and as its migration backfills it; and the Costs page (readCosts), which
// reads it, gives what DailyUsage's own rows give.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { readCosts } from "@/server/costs/read-costs";
import type { Db } from "@/server/db/client";
import type { Lane } from "@/server/core/lanes";
import type { TurnRecord } from "@/server/core/turn-record";
import { addModelPrice } from "@/server/models/manage-model-prices";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { undoTierChange } from "@/server/tiers/manage-tiers";
import { USAGE_SUMS } from "./daily-usage-total";
import { readMigrationFiles } from "./migrate";
import { rebuildDailyUsage, recordTurns } from "./record-turns";

const DAY = 86_400_000;
const NOW = new Date("2026-11-30T09:30:00.000Z");
const AGENTS = ["loash", "worker-1", "ops"];
const LANES: Lane[] = ["local", "claude", "local_careful", "sidecar", "claude"];
const TASKS = ["heartbeat", "code-review", null, "git-fetch", "log-summarization"];
const NEW_MODEL = "claude-sonnet-4-7-20261001";
const SONNET_USD = { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 };

/** 400 turns over 40 days: agents, lanes, task types, statuses, sources, costs and unpriced Claude turns vary. */
function turns(): TurnRecord[] {
  return Array.from({ length: 400 }, (_, n) => {
    const lane = LANES[n % 5]!;
    const unpriced = lane === "claude" && n % 3 === 0;
    return testTurn({
      agentId: AGENTS[n % 3]!,
      lane,
      taskTypeId: TASKS[(n * 7) % 5]!,
      servedModel: unpriced ? NEW_MODEL : lane === "claude" ? "claude-opus-4-6" : "qwen3:8b",
      requestedModel: unpriced ? NEW_MODEL : "claude-opus-4-6",
      status: n % 23 === 0 ? "error" : n % 29 === 0 ? "escalated" : "ok",
      source: n % 31 === 0 ? "reported" : "gateway",
      inputTokens: 900 + n,
      outputTokens: 40 + (n % 60),
      cacheReadTokens: n % 4 === 0 ? 5_000 : 0,
      cacheWrite5mTokens: n % 6 === 0 ? 700 : 0,
      latencyMs: 300 + n * 3,
      costMicroUsd: unpriced ? null : BigInt(n * 37),
      counterfactualMicroUsd: unpriced ? null : BigInt(5_000 + n * 53),
      startedAt: new Date(NOW.getTime() - ((n * 7_919) % 1_000) * ((40 * DAY) / 1_000) - n),
    });
  });
}

for (const target of testDatabases()) {
  describe(`DailyUsageTotal on ${target.kind}`, () => {
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

    const sums = USAGE_SUMS.map((c) => `sum("${c}")::text as "${c}"`).join(", ");
    const cols = USAGE_SUMS.map((c) => `"${c}"::text`).join(", ");
    /** DailyUsageTotal's rows, every number as text. */
    const totalRows = () =>
      db.sql.query(
        `select to_char("day", 'YYYY-MM-DD') as day, "dimension", "key", "lane"::text, ${cols}
         from "DailyUsageTotal" order by 1, 2, 3, 4`,
      );
    /** The same rows computed from DailyUsage here, as the oracle. */
    const fromDaily = () =>
      db.sql.query(
        `select to_char("day", 'YYYY-MM-DD') as day, "dimension", "key", "lane"::text, ${sums}
         from (select d.*, 'agent' as "dimension", "agentId" as "key" from "DailyUsage" d
               union all select d.*, 'taskType', "taskTypeId" from "DailyUsage" d) u
         group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
      );
    const expectSameAsDaily = async () => {
      const rows = await totalRows();
      expect(rows.length).toBeGreaterThan(100);
      expect(rows).toEqual(await fromDaily());
    };

    it("adds up to DailyUsage by agent and by task type, as the writer keeps both", async () => {
      await expectSameAsDaily();
      const [n] = await db.sql.query<{ turns: string }>(
        `select sum("turns")::text as turns from "DailyUsageTotal" where "dimension" = 'taskType'`,
      );
      expect(n!.turns).toBe("400");
    });

    it("moves with DailyUsage when a price is added and undone, and a rebuild changes nothing", async () => {
      const { change, repricedTurns } = await addModelPrice(
        db,
        { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD },
        "operator",
      );
      expect(repricedTurns).toBeGreaterThan(20);
      await expectSameAsDaily();
      const priced = await totalRows();
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 60 * DAY), new Date(NOW.getTime() + DAY));
      expect(await totalRows()).toEqual(priced);

      await undoTierChange(db, change.id, "operator");
      await expectSameAsDaily();
      expect(await totalRows()).not.toEqual(priced);
    });

    it("is rebuilt by the repair tool for the days asked, leaving the others", async () => {
      const written = await totalRows();
      await db.sql.exec(`update "DailyUsageTotal" set "turns" = 999`);
      const from = new Date(NOW.getTime() - 10 * DAY);
      await rebuildDailyUsage(db, from, new Date(NOW.getTime() + DAY));
      const fromDay = from.toISOString().slice(0, 10);
      const after = await totalRows();
      expect(after.filter((r) => String(r.day) >= fromDay)).toEqual(written.filter((r) => String(r.day) >= fromDay));
      expect(after.filter((r) => String(r.day) < fromDay).every((r) => r.turns === "999")).toBe(true);
    });

    it("is backfilled by its migration from DailyUsage exactly as the writer kept it", async () => {
      const written = await totalRows();
      const daily = () =>
        db.prisma.dailyUsage.findMany({
          orderBy: [{ day: "asc" }, { agentId: "asc" }, { taskTypeId: "asc" }, { lane: "asc" }],
        });
      const kept = await daily();
      // Repricing before this release left reported turns' cost out of reportedCostMicroUsd: the
      // migration recounts it from the reported turns.
      await db.sql.exec(`update "DailyUsage" set "reportedCostMicroUsd" = 0 where "reportedTurns" > 0`);
      const migration = readMigrationFiles().find((f) => f.name.endsWith("_daily_usage_total"))!;
      await db.sql.transaction(async (tx) => {
        await tx.exec(`drop table "DailyUsageTotal"`);
        await tx.exec(migration.sql);
      });
      expect(kept.some((d) => d.reportedCostMicroUsd > 0n)).toBe(true);
      expect(await daily()).toEqual(kept);
      expect(await totalRows()).toEqual(written);
    });

    it("stays equal to DailyUsage when a rebuild and the writers run at once", async () => {
      const from = new Date(NOW.getTime() - 3 * DAY);
      for (let round = 0; round < 4; round++) {
        // New keys on the rebuilt days (another agent, another task type) and old ones, as a fleet writes.
        const batch = (k: number) =>
          Array.from({ length: 30 }, (_, n) =>
            testTurn({
              agentId: AGENTS[(n + k) % 3]!,
              taskTypeId: n % 2 ? "git-fetch" : "mailbox-poll",
              lane: n % 3 ? "local" : "claude",
              costMicroUsd: BigInt(n + k),
              startedAt: new Date(NOW.getTime() - (n % 3) * DAY),
            }),
          );
        await Promise.all([
          recordTurns(db, batch(round)),
          rebuildDailyUsage(db, from, new Date(NOW.getTime() + DAY)),
          recordTurns(db, batch(round + 1)),
        ]);
      }
      await expectSameAsDaily();
      const written = await totalRows();
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 60 * DAY), new Date(NOW.getTime() + DAY));
      expect(await totalRows()).toEqual(written);
    });

    it("gives the Costs page what DailyUsage's rows give, for every range", async () => {
      const daily = await db.prisma.dailyUsage.findMany();
      for (const days of [7, 30, 90] as const) {
        const costs = await readCosts(db, days, NOW);
        const inRange = daily.filter((d) => {
          const day = d.day.toISOString().slice(0, 10);
          return day >= costs.from && day <= costs.to;
        });
        const sum = <K extends string>(key: (d: (typeof daily)[number]) => K) => {
          const by = new Map<K, { turns: number; cost: bigint; cf: bigint; reported: bigint }>();
          for (const d of inRange) {
            const g = by.get(key(d)) ?? { turns: 0, cost: 0n, cf: 0n, reported: 0n };
            g.turns += d.turns;
            g.cost += d.costMicroUsd;
            g.cf += d.counterfactualMicroUsd;
            g.reported += d.reportedCostMicroUsd;
            by.set(key(d), g);
          }
          return by;
        };
        const byDayLane = sum((d) => `${d.day.toISOString().slice(0, 10)} ${d.lane}`);
        expect(
          new Map(costs.byDayLane.map((r) => [`${r.day} ${r.lane}`, { turns: r.turns, cost: r.costMicroUsd }])),
        ).toEqual(new Map([...byDayLane].map(([k, g]) => [k, { turns: g.turns, cost: g.cost }])));
        const sameGroups = (got: typeof costs.byAgent, want: ReturnType<typeof sum>) =>
          expect(
            new Map(
              got.map((r) => [r.id, [r.turns, r.costMicroUsd, r.counterfactualMicroUsd, r.reportedCostMicroUsd]]),
            ),
          ).toEqual(new Map([...want].map(([k, g]) => [k, [g.turns, g.cost, g.cf, g.reported]])));
        sameGroups(
          costs.byAgent,
          sum((d) => d.agentId),
        );
        sameGroups(
          costs.byTaskType,
          sum((d) => d.taskTypeId),
        );
        expect(costs.byAgent.length).toBe(3);
      }
    });
  });
}
