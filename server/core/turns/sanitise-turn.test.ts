import { describe, expect, it } from "vitest";
import type { TurnRecord } from "../turn-record";
import { sanitiseTurn, storableInt, storableText } from "./sanitise-turn";

const turn = (over: Partial<TurnRecord> = {}): TurnRecord => ({
  id: "0193a000-0000-7000-8000-000000000001",
  agentId: "loash",
  taskTypeId: null,
  lane: "claude",
  requestedModel: "claude-opus-4-6",
  servedModel: "claude-opus-4-6",
  inputTokens: 10,
  outputTokens: 2,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  latencyMs: 10,
  generationMs: null,
  loadMs: null,
  status: "ok",
  escalatedFromTurnId: null,
  reason: "r",
  errorMessage: null,
  costMicroUsd: 1n,
  counterfactualMicroUsd: 1n,
  source: "gateway",
  startedAt: new Date("2026-11-30T00:00:00Z"),
  ...over,
});

describe("sanitiseTurn", () => {
  it("strips NUL and lone surrogates and caps text", () => {
    expect(storableText("claude\u0000x", 200)).toBe("claudex");
    expect(storableText("a\uD800b", 200)).toBe("a\uFFFDb");
    expect(storableText("ok 😀", 200)).toBe("ok 😀");
    expect(storableText("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
    const t = sanitiseTurn(turn({ requestedModel: "claude\u0000x", reason: "why\u0000".repeat(1_000) }));
    expect(t.requestedModel).toBe("claudex");
    expect(t.reason!.length).toBe(2_000);
    expect(t.reason).not.toContain("\u0000");
  });

  it("keeps integers whole, non-negative and within int4, money within int8", () => {
    expect(storableInt(2 ** 40)).toBe(2_147_483_647);
    expect(storableInt(-5)).toBe(0);
    expect(storableInt(Number.NaN)).toBe(0);
    expect(storableInt(1.6)).toBe(2);
    const t = sanitiseTurn(turn({ inputTokens: 2 ** 31, latencyMs: Infinity, costMicroUsd: 2n ** 70n, loadMs: -1 }));
    expect(t).toMatchObject({ inputTokens: 2_147_483_647, latencyMs: 0, loadMs: 0 });
    expect(t.costMicroUsd).toBe(9_223_372_036_854_775_807n);
  });

  it("leaves a good turn as it was", () => {
    const good = turn({ fingerprint: { id: "0123456789abcdef", template: "write <n>" }, confidence: 0.9 });
    expect(sanitiseTurn(good)).toEqual(good);
  });

  it("replaces a time that is not a time", () => {
    expect(Number.isFinite(sanitiseTurn(turn({ startedAt: new Date(Number.NaN) })).startedAt.getTime())).toBe(true);
  });
});
