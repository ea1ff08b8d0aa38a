// Operator prices on both databases: the unpriced models of the last 30 days, adding a price (audited,
// validated, nothing stored when refused) that reprices past turns and their DailyUsage rows exactly as a
// rebuild from the turns would, and its undo through the same path.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ZodError } from "zod";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { rebuildDailyUsage, recordTurns } from "@/server/db/record-turns";
import { addAgent } from "@/server/agents/manage-agents";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "@/server/gateway/gateway-state";
import { listTierChanges, undoTierChange } from "@/server/tiers/manage-tiers";
import { modelsRouter } from "@/server/api/routers/models";
import type { TurnRecord } from "@/server/core/turn-record";
import { updateSettings } from "@/server/db/settings";
import { retireTurns } from "@/server/turns/retire-turns";
import { fingerprintOf } from "@/server/core/turns/fingerprint";
import { addModelPrice, readUnpricedModels, repriceUnpricedTurns } from "./manage-model-prices";

const NEW_MODEL = "claude-sonnet-4-7-20261001";
const DAY = 86_400_000;
const now = new Date();

const turn = (over: Partial<TurnRecord>): TurnRecord => ({
  id: crypto.randomUUID(),
  agentId: "worker-1",
  taskTypeId: "code-review",
  lane: "claude",
  requestedModel: NEW_MODEL,
  servedModel: NEW_MODEL,
  status: "ok",
  inputTokens: 1_000,
  outputTokens: 200,
  cacheReadTokens: 10_000,
  cacheWrite5mTokens: 2_000,
  cacheWrite1hTokens: 500,
  latencyMs: 900,
  generationMs: null,
  loadMs: null,
  escalatedFromTurnId: null,
  reason: "test",
  errorMessage: null,
  costMicroUsd: null,
  counterfactualMicroUsd: null,
  source: "gateway",
  startedAt: now,
  ...over,
});

// At Sonnet's prices (3 / 15 / 3.75 / 6 / 0.3 USD per million): 3,000 + 3,000 + 7,500 + 3,000 + 3,000 micro-dollars.
const SONNET_USD = { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 };
const TURN_COST = 19_500n;
const REVIEW = fingerprintOf("review PR 12 for race conditions")!;
const POLL = fingerprintOf("check the inbox at 09:00 and ack message 41")!;
/** Turns of the same instant come back in any order: compare them sorted. */
const byText = (a: unknown[], b: unknown[]) => String(a).localeCompare(String(b));

for (const target of testDatabases()) {
  describe(`operator prices on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "worker-1" });
      // Gateway turns carry their instruction's fingerprint: FingerprintDailyUsage moves with their costs.
      await recordTurns(db, [
        turn({ startedAt: new Date(now.getTime() - 40 * DAY), fingerprint: REVIEW }), // older than the flag's window, repriced all the same
        turn({ startedAt: new Date(now.getTime() - 3 * DAY), fingerprint: REVIEW }),
        turn({
          startedAt: new Date(now.getTime() - 3 * DAY),
          taskTypeId: null,
          servedModel: "claude-sonnet-4-7",
          fingerprint: POLL,
        }),
        turn({ fingerprint: REVIEW }),
        // Priced turns around them, which no price change may touch.
        turn({
          servedModel: "claude-opus-4-6",
          costMicroUsd: 12_345n,
          counterfactualMicroUsd: 12_345n,
          fingerprint: POLL,
        }),
        turn({
          lane: "local",
          servedModel: "qwen3:8b",
          costMicroUsd: 12n,
          counterfactualMicroUsd: 9_000n,
          fingerprint: POLL,
        }),
        // The agent asked for Opus, an operator mapping served the unpriced model: its counterfactual stays.
        turn({ requestedModel: "claude-opus-4-6", counterfactualMicroUsd: 99_000n, fingerprint: REVIEW }),
        // Asked for the unpriced model: the gateway fell back to the agent's Claude model for the
        // counterfactual; once the model asked for is priced, that price is the counterfactual.
        turn({ counterfactualMicroUsd: 5_000n }),
      ]);
    });
    afterEach(() => {
      vi.restoreAllMocks();
      invalidateGatewayState();
    });

    const daily = () =>
      db.sql.query(
        `select to_char("day", 'YYYY-MM-DD') as day, "agentId", "taskTypeId", "lane", "turns", "unpricedTurns",
                "costMicroUsd"::text as cost, "counterfactualMicroUsd"::text as counterfactual
         from "DailyUsage" order by 1, 2, 3, 4`,
      );
    const costs = async () =>
      (
        await db.prisma.turn.findMany({
          where: { lane: "claude" },
          orderBy: { startedAt: "asc" },
          select: { servedModel: true, costMicroUsd: true, counterfactualMicroUsd: true },
        })
      )
        .map((t) => [t.servedModel, t.costMicroUsd, t.counterfactualMicroUsd])
        .sort(byText);
    const recurring = () =>
      db.sql.query(
        `select to_char("day", 'YYYY-MM-DD') as day, "fingerprint", "agentId", "turns", "claudeTurns",
                "costMicroUsd"::text as cost, "counterfactualMicroUsd"::text as counterfactual
         from "FingerprintDailyUsage" order by 1, 2, 3`,
      );
    /** DailyUsage and FingerprintDailyUsage as a rebuild from the turns would make them. */
    const rebuilt = async () => {
      await rebuildDailyUsage(db, new Date(now.getTime() - 60 * DAY), new Date(now.getTime() + 2 * DAY));
      return { daily: await daily(), recurring: await recurring() };
    };
    const expectConsistentDailyUsage = async () => {
      const kept = { daily: await daily(), recurring: await recurring() };
      expect(await rebuilt()).toEqual(kept);
    };

    it("lists the last 30 days' unpriced models with a price suggested from their family", async () => {
      const summary = await readUnpricedModels(db, now);
      expect(summary).toMatchObject({ windowDays: 30, turns: 5 });
      expect(summary.models).toEqual([
        {
          priceKey: "claude-sonnet-4-7",
          names: ["claude-sonnet-4-7", NEW_MODEL],
          turns: 5,
          lastTurnAt: expect.any(Date),
          pricedNow: false,
          suggestion: { basedOn: "claude-sonnet-4-6", usdPerMTok: SONNET_USD },
        },
      ]);
    });

    it("adds a price, reprices every unpriced turn of the model and DailyUsage, audited, and the gateway prices with it at once", async () => {
      vi.spyOn(Date, "now").mockReturnValue(now.getTime());
      expect((await gatewayState(db)).prices.has("claude-sonnet-4-7")).toBe(false);
      const result = await addModelPrice(
        db,
        { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD, note: "new Sonnet" },
        "operator",
      );
      expect(result.repricedTurns).toBe(6);
      expect(result.costChangeMicroUsd).toBe(6n * TURN_COST);
      expect(result.change).toMatchObject({
        subjectType: "model_price",
        subjectId: "claude-sonnet-4-7",
        fromValue: "unpriced",
        actor: "operator",
        note: "new Sonnet",
      });
      expect(JSON.parse(result.change.toValue)).toEqual({
        input: 3_000_000,
        output: 15_000_000,
        cache_write_5m: 3_750_000,
        cache_write_1h: 6_000_000,
        cache_read: 300_000,
      });
      expect(await costs()).toEqual(
        [
          [NEW_MODEL, TURN_COST, TURN_COST],
          [NEW_MODEL, TURN_COST, TURN_COST],
          ["claude-sonnet-4-7", TURN_COST, TURN_COST],
          [NEW_MODEL, TURN_COST, TURN_COST],
          ["claude-opus-4-6", 12_345n, 12_345n],
          [NEW_MODEL, TURN_COST, 99_000n],
          [NEW_MODEL, TURN_COST, TURN_COST],
        ].sort(byText),
      );
      // DailyUsage and FingerprintDailyUsage moved by exactly what a rebuild from the turns gives.
      const moved = { daily: await daily(), recurring: await recurring() };
      expect(moved.daily.every((r) => r.unpricedTurns === 0)).toBe(true);
      expect(moved.recurring).toHaveLength(5);
      expect(await rebuilt()).toEqual(moved);
      expect(await readUnpricedModels(db, now)).toEqual({ windowDays: 30, turns: 0, models: [] });
      // In force from the first turn it priced, so that the price table agrees with the repriced history.
      const rows = await db.prisma.modelPrice.findMany({ where: { model: "claude-sonnet-4-7" } });
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.isOverride && r.effectiveFrom.getTime() === now.getTime() - 40 * DAY)).toBe(true);
      expect((await gatewayState(db)).prices.get("claude-sonnet-4-7")).toMatchObject({ output: 15_000_000n });
      expect((await listTierChanges(db))[0]).toMatchObject({ subjectName: "claude-sonnet-4-7" });
    });

    it("refuses bad prices naming the field, and stores nothing", async () => {
      const before = async () => ({
        audit: await db.prisma.tierChange.count(),
        prices: await db.prisma.modelPrice.count(),
        costs: await costs(),
        daily: await daily(),
      });
      const untouched = await before();
      const bad = (usd: Partial<typeof SONNET_USD>) => ({ ...SONNET_USD, ...usd });
      for (const [input, field] of [
        [{ model: "claude-sonnet-4-7", usdPerMTok: bad({ cache_read: -1 }) }, "usdPerMTok.cache_read"],
        [{ model: "claude-sonnet-4-7", usdPerMTok: bad({ output: 5_000 }) }, "usdPerMTok.output"],
        [{ model: "claude-sonnet-4-7", usdPerMTok: bad({ input: Number.NaN }) }, "usdPerMTok.input"],
        [{ model: "claude sonnet", usdPerMTok: SONNET_USD }, "model"],
      ] as const) {
        await expect(addModelPrice(db, input, "x")).rejects.toSatisfy(
          (e) => e instanceof ZodError && e.issues[0]!.path.join(".") === field,
        );
      }
      const zero = { input: 0, output: 0, cache_write_5m: 0, cache_write_1h: 0, cache_read: 0 };
      await expect(addModelPrice(db, { model: "claude-sonnet-4-7", usdPerMTok: zero }, "x")).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "usdPerMTok.input",
      });
      // A model with a price (a dated release of a listed one too) is not priced again here.
      for (const model of ["claude-opus-4-6", "claude-haiku-4-5-20251001"]) {
        const attempt = addModelPrice(db, { model, usdPerMTok: SONNET_USD }, "x");
        await expect(attempt).rejects.toMatchObject({ code: "CONFLICT", field: "model" });
        await expect(attempt).rejects.toThrow(/^model: .* already has a price \(\$[\d.]+ in \/ \$[\d.]+ out/);
      }
      expect(await before()).toEqual(untouched);
    });

    it("undoes a price through the same audited path: its turns are unpriced again, exactly as before", async () => {
      const original = { costs: await costs(), daily: await daily(), recurring: await recurring() };
      const { change } = await addModelPrice(db, { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD }, "operator");
      // A turn recorded while the price was in force is priced by it, and unpriced with it.
      await recordTurns(db, [turn({ costMicroUsd: TURN_COST, counterfactualMicroUsd: TURN_COST })]);
      const undone = await undoTierChange(db, change.id, "operator");
      expect(undone).toMatchObject({ subjectType: "model_price", fromValue: change.toValue, toValue: "unpriced" });
      expect(await db.prisma.modelPrice.count({ where: { model: "claude-sonnet-4-7" } })).toBe(0);
      // Unpriced again, as before; the counterfactual of a turn that asked for the model is unknown again.
      const unknownAgain = original.costs.map((c) => (c[2] === 5_000n ? [c[0], c[1], null] : c));
      expect(await costs()).toEqual([...unknownAgain, [NEW_MODEL, null, null]].sort(byText));
      expect((await readUnpricedModels(db, now)).turns).toBe(6);
      await expectConsistentDailyUsage();
      expect(await recurring()).toEqual(original.recurring);
      // Undoing the first change again would overwrite the newer state: refused, nothing written.
      await expect(undoTierChange(db, change.id, "operator")).rejects.toMatchObject({
        code: "CONFLICT",
        field: "changeId",
      });
      // The undo of the undo prices them again.
      const redone = await undoTierChange(db, undone!.id, "operator");
      expect(redone).toMatchObject({ fromValue: "unpriced", toValue: change.toValue });
      expect((await readUnpricedModels(db, now)).turns).toBe(0);
      await expectConsistentDailyUsage();
    });

    it("reprices turns that were in flight while their price was added", async () => {
      await addModelPrice(db, { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD }, "operator");
      // Priced by the gateway with its snapshot from before the price: recorded unpriced.
      await recordTurns(db, [turn({})]);
      const summary = await readUnpricedModels(db, now);
      expect(summary.models).toMatchObject([
        { priceKey: "claude-sonnet-4-7", turns: 1, pricedNow: true, suggestion: null },
      ]);
      const caller = modelsRouter.createCaller({ db, actor: { kind: "operator", name: "test" } });
      expect(await caller.repriceUnpriced()).toEqual({
        repricedTurns: 1,
        costChangeMicroUsd: TURN_COST,
        retired: null,
      });
      expect((await caller.unpriced()).turns).toBe(0);
      await expectConsistentDailyUsage();
      expect(await repriceUnpricedTurns(db)).toEqual({ repricedTurns: 0, costChangeMicroUsd: 0n, retired: null });
    });

    it("with a retention period, prices only the turns still kept and names the retired days it cannot reach", async () => {
      await updateSettings(db, { turnRetentionDays: 31 });
      const retire = await retireTurns(db, { now, pauseMs: 0 });
      expect(retire).toMatchObject({ status: "done", retired: 1 }); // the 40-day-old turn
      const before = await daily();
      const cutover = retire.status === "done" ? retire.retainedFrom : "";
      const retiredDays = before.filter((d: any) => d.day < cutover);
      expect(retiredDays).toHaveLength(1);

      const result = await addModelPrice(db, { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD }, "operator");
      expect(result.repricedTurns).toBe(5);
      expect(result.retired).toEqual({ before: cutover, days: 1, unpricedTurns: 1 });
      // The retired day keeps its totals, its unpriced turn counted as such.
      expect((await daily()).filter((d: any) => d.day < cutover)).toEqual(retiredDays);
      // A rebuild from the turns still agrees (it stops at the cutover).
      await expectConsistentDailyUsage();
      expect(await repriceUnpricedTurns(db)).toEqual({
        repricedTurns: 0,
        costChangeMicroUsd: 0n,
        retired: { before: cutover, days: 1, unpricedTurns: 1 },
      });

      // Undone: the price's turns on retained days become unpriced again; the retired day is named.
      const [change] = await listTierChanges(db, 1);
      await undoTierChange(db, change!.id, "operator");
      expect((await daily()).filter((d: any) => d.day < cutover)).toEqual(retiredDays);
      await expectConsistentDailyUsage();
      expect((await readUnpricedModels(db, now)).turns).toBe(5);
    });
  });
}
