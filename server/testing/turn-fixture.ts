// A recorded turn for tests that need turns in the database without the gateway: a Claude turn of
// agent "loash" now, with whatever the test overrides.
import crypto from "node:crypto";
import type { TurnRecord } from "@/server/core/turn-record";

export function testTurn(overrides: Partial<TurnRecord> = {}): TurnRecord {
  return {
    id: crypto.randomUUID(),
    agentId: "loash",
    taskTypeId: null,
    lane: "claude",
    requestedModel: "claude-opus-4-6",
    servedModel: "claude-opus-4-6",
    inputTokens: 1_000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    latencyMs: 1_200,
    generationMs: null,
    loadMs: null,
    status: "ok",
    escalatedFromTurnId: null,
    reason: "test",
    errorMessage: null,
    costMicroUsd: 10_000n,
    counterfactualMicroUsd: 10_000n,
    source: "gateway",
    startedAt: new Date(),
    ...overrides,
  };
}
