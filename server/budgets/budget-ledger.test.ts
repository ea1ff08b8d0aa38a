// The budget ledger on its own: turns counted from memory until the database holds them (once,
// never twice after the read that sees them), limits changed while a read is under way, and the last
// budgets kept while the database does not answer.
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";
import { recordTurns } from "@/server/db/record-turns";
import { addAgent, updateAgentLimits } from "@/server/agents/manage-agents";
import type { TurnRecord } from "@/server/core/turn-record";
import { budgetSnapshot, freshBudgetSnapshot, noteClaudeSpend, resetBudgetLedger, spentToday } from "./budget-ledger";
import { captureLogs } from "@/server/process/log";

async function database(): Promise<Db> {
  const db = await openDb({ inMemory: true });
  await applyMigrations(db);
  return db;
}

function claudeTurn(id: string, costMicroUsd: bigint, startedAt = new Date()): TurnRecord {
  return {
    id,
    agentId: "loash",
    taskTypeId: null,
    lane: "claude",
    requestedModel: "claude-opus-4-6",
    servedModel: "claude-opus-4-6",
    inputTokens: 10_000,
    outputTokens: 2_000,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    latencyMs: 100,
    generationMs: null,
    evalMs: null,
    loadMs: null,
    status: "ok",
    escalatedFromTurnId: null,
    reason: "test",
    errorMessage: null,
    costMicroUsd,
    counterfactualMicroUsd: costMicroUsd,
    source: "gateway",
    startedAt,
    fingerprint: null,
    confidence: null,
    promptTokens: 100,
    contextForcedClaude: false,
  };
}

describe("budget ledger", () => {
  afterEach(() => {
    resetBudgetLedger();
    vi.restoreAllMocks();
  });

  it("counts a turn from memory until the database holds it, then from the database, once", async () => {
    const db = await database();
    try {
      await addAgent(db, { id: "loash", dailyBudgetUsd: 1 });
      const t = Date.now();
      expect(spentToday(await budgetSnapshot(db, t), "loash")).toBe(0n);
      const turn = claudeTurn("0193a000-0000-7000-8000-000000000001", 100_000n);
      noteClaudeSpend(turn);
      noteClaudeSpend(turn); // the same turn twice counts once
      expect(spentToday(await budgetSnapshot(db, t), "loash")).toBe(100_000n);
      await recordTurns(db, [turn]);
      expect(spentToday(await freshBudgetSnapshot(db, t + 10), "loash")).toBe(100_000n);
      expect(spentToday(await freshBudgetSnapshot(db, t + 20), "loash")).toBe(100_000n);
      // Yesterday's turn counts for nothing today.
      noteClaudeSpend(claudeTurn("0193a000-0000-7000-8000-000000000002", 500_000n, new Date(t - 86_400_000)));
      expect(spentToday(await freshBudgetSnapshot(db, t + 30), "loash")).toBe(100_000n);
    } finally {
      await db.close();
    }
  });

  it("does not let a read started before a limit changed overwrite the change", async () => {
    const db = await database();
    try {
      await addAgent(db, { id: "loash", dailyBudgetUsd: 1 });
      // A read under way with the old limits...
      const stale = freshBudgetSnapshot(db);
      await updateAgentLimits(db, { id: "loash", dailyBudgetUsd: 2 });
      await stale;
      // ...is not what the next turn is decided on.
      expect((await budgetSnapshot(db)).limits.get("loash")!.dailyBudgetMicroUsd).toBe(2_000_000n);
    } finally {
      await db.close();
    }
  });

  it("keeps deciding on the last budgets read while the database does not answer", async () => {
    const db = await database();
    await addAgent(db, { id: "loash", dailyBudgetUsd: 0.5, requestsPerMinute: 5 });
    const t = Date.now();
    await budgetSnapshot(db, t);
    noteClaudeSpend(claudeTurn("0193a000-0000-7000-8000-000000000003", 600_000n));
    await db.close();
    const logs = captureLogs("info");
    const later = await freshBudgetSnapshot(db, t + 5_000); // fails, and says so once
    expect(later.limits.get("loash")).toMatchObject({ dailyBudgetMicroUsd: 500_000n, requestsPerMinute: 5 });
    expect(spentToday(later, "loash")).toBe(600_000n);
    await freshBudgetSnapshot(db, t + 6_000);
    expect(spentToday(await budgetSnapshot(db, t + 8_000), "loash")).toBe(600_000n);
    logs.stop();
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({ level: "warn", msg: "could not read budgets, using the last ones read" });
  });
});
