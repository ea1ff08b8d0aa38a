import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_PRICE_TABLE, USAGE_TYPES } from "./price-table";
import type { PricePerMTok, TokenUsage } from "./price-usage";
import { priceUsage } from "./price-usage";
import { priceClaudeTurn, priceLocalTurn, resolveModelPrice, type PriceMap } from "./price-turn";
import { usageFromAnthropic } from "./usage-from-anthropic";

const prices: PriceMap = new Map(
  DEFAULT_PRICE_TABLE.map((row) => [
    row.model,
    Object.fromEntries(USAGE_TYPES.map((u) => [u, BigInt(row[u])])) as PricePerMTok,
  ]),
);
const zero: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
};
const electricity = { gpuWatts: 350, electricityMicroUsdPerKwh: 150_000, counterfactualCachedShare: 0.8 };

describe("usageFromAnthropic", () => {
  it("reads a response's usage with the 5m/1h split", () => {
    const usage = usageFromAnthropic({
      input_tokens: 12,
      output_tokens: 340,
      cache_read_input_tokens: 11_000,
      cache_creation_input_tokens: 1_500,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1_000 },
    });
    expect(usage).toEqual({
      inputTokens: 12,
      outputTokens: 340,
      cacheReadTokens: 11_000,
      cacheWrite5mTokens: 500,
      cacheWrite1hTokens: 1_000,
    });
  });

  it("prices every cache write as 5-minute when the split is absent", () => {
    expect(usageFromAnthropic({ input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 800 })).toMatchObject({
      cacheWrite5mTokens: 800,
      cacheWrite1hTokens: 0,
    });
  });

  it("prices a remainder the split does not explain as 5-minute writes", () => {
    expect(
      usageFromAnthropic({
        cache_creation_input_tokens: 900,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 600 },
      }),
    ).toMatchObject({ cacheWrite5mTokens: 300, cacheWrite1hTokens: 600 });
  });

  it("treats missing, null, negative and fractional counts safely", () => {
    expect(usageFromAnthropic(null)).toEqual(zero);
    expect(usageFromAnthropic({ input_tokens: null, output_tokens: -4, cache_read_input_tokens: 2.7 })).toEqual({
      ...zero,
      cacheReadTokens: 2,
    });
  });
});

describe("priceClaudeTurn", () => {
  it("prices a cached heartbeat on Opus 4.6 from its usage exactly", () => {
    // 12*5 + 340*25 + 11000*0.5 + 500*6.25 + 1000*10 = 60 + 8500 + 5500 + 3125 + 10000 = 27,185 micro-dollars
    const usage = usageFromAnthropic({
      input_tokens: 12,
      output_tokens: 340,
      cache_read_input_tokens: 11_000,
      cache_creation_input_tokens: 1_500,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1_000 },
    });
    expect(priceClaudeTurn("claude-opus-4-6", usage, prices)).toEqual({ priced: true, costMicroUsd: 27_185n });
  });

  it("is explicitly unpriced for an unknown model, not zero", () => {
    const cost = priceClaudeTurn("claude-mystery-9", { ...zero, inputTokens: 100 }, prices);
    expect(cost.priced).toBe(false);
    expect(cost.costMicroUsd).toBeNull();
    if (!cost.priced) expect(cost.reason).toContain("claude-mystery-9");
  });

  it("costs zero for zero tokens on a priced model", () => {
    expect(priceClaudeTurn("claude-haiku-4-5", zero, prices)).toEqual({ priced: true, costMicroUsd: 0n });
  });

  it("prices huge counts without overflow or float error", () => {
    const huge = Number.MAX_SAFE_INTEGER;
    // 2^53-1 output tokens at $75/MTok on Opus 4.1: exact in bigint.
    const cost = priceClaudeTurn("claude-opus-4-1", { ...zero, outputTokens: huge }, prices);
    expect(cost.costMicroUsd).toBe((BigInt(huge) * 75_000_000n + 500_000n) / 1_000_000n);
  });

  it("finds dated and prefixed model names", () => {
    expect(resolveModelPrice(prices, "claude-haiku-4-5-20251001")).toBe(prices.get("claude-haiku-4-5"));
    expect(resolveModelPrice(prices, "anthropic/claude-sonnet-4-6")).toBe(prices.get("claude-sonnet-4-6"));
    expect(resolveModelPrice(prices, "Claude-Opus-4-6")).toBe(prices.get("claude-opus-4-6"));
    expect(resolveModelPrice(prices, "qwen3:8b")).toBeNull();
  });
});

describe("priceLocalTurn", () => {
  it("costs electricity and knows what Claude would have charged", () => {
    // 350 W for 2 s = 700 J = 0.000194 kWh; at $0.15/kWh = 29.17 micro-dollars -> 29.
    const cost = priceLocalTurn(
      { generationMs: 2_000, promptTokens: 10_000, outputTokens: 100, claudeModel: "claude-opus-4-6" },
      electricity,
      prices,
    );
    expect(cost.costMicroUsd).toBe(29n);
    // 2,000 uncached * 5 + 8,000 cache read * 0.5 + 100 * 25 = 10,000 + 4,000 + 2,500 = 16,500
    expect(cost.counterfactualMicroUsd).toBe(16_500n);
    expect(cost.counterfactualMicroUsd! - cost.costMicroUsd).toBe(16_471n);
  });

  it("has no counterfactual when the agent's Claude model is unpriced", () => {
    const cost = priceLocalTurn(
      { generationMs: 1_000, promptTokens: 10, outputTokens: 1, claudeModel: "unknown" },
      electricity,
      prices,
    );
    expect(cost.counterfactualMicroUsd).toBeNull();
  });
});

const tokenCount = fc.integer({ min: 0, max: 50_000_000 });
const usageArb = fc.record({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cacheReadTokens: tokenCount,
  cacheWrite5mTokens: tokenCount,
  cacheWrite1hTokens: tokenCount,
});
const fields = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWrite5mTokens", "cacheWrite1hTokens"] as const;
const modelArb = fc.constantFrom(...DEFAULT_PRICE_TABLE.map((r) => r.model));

describe("cost invariants (property tests)", () => {
  it("cost is monotone in every token count", () => {
    fc.assert(
      fc.property(
        usageArb,
        fc.constantFrom(...fields),
        fc.integer({ min: 1, max: 1_000_000 }),
        modelArb,
        (usage, field, extra, model) => {
          const price = prices.get(model)!;
          return priceUsage({ ...usage, [field]: usage[field] + extra }, price) >= priceUsage(usage, price);
        },
      ),
    );
  });

  it("cost is never negative and a turn's parts never cost more together than apart by more than rounding", () => {
    fc.assert(
      fc.property(usageArb, modelArb, (usage, model) => {
        const price = prices.get(model)!;
        const whole = priceUsage(usage, price);
        const parts = fields.reduce((sum, f) => sum + priceUsage({ ...zero, [f]: usage[f] }, price), 0n);
        const diff = whole - parts;
        return whole >= 0n && diff >= -3n && diff <= 3n;
      }),
    );
  });

  it("a cache read never costs more than the same tokens uncached, a 1h write never less than a 5m write", () => {
    fc.assert(
      fc.property(tokenCount, modelArb, (n, model) => {
        const price = prices.get(model)!;
        return (
          priceUsage({ ...zero, cacheReadTokens: n }, price) <= priceUsage({ ...zero, inputTokens: n }, price) &&
          priceUsage({ ...zero, cacheWrite1hTokens: n }, price) >= priceUsage({ ...zero, cacheWrite5mTokens: n }, price)
        );
      }),
    );
  });

  it("savings never exceed the counterfactual", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        modelArb,
        (generationMs, promptTokens, outputTokens, cachedShare, model) => {
          const cost = priceLocalTurn(
            { generationMs, promptTokens, outputTokens, claudeModel: model },
            { ...electricity, counterfactualCachedShare: cachedShare },
            prices,
          );
          return (
            cost.counterfactualMicroUsd !== null &&
            cost.counterfactualMicroUsd - cost.costMicroUsd <= cost.counterfactualMicroUsd &&
            cost.costMicroUsd >= 0n
          );
        },
      ),
    );
  });

  it("the counterfactual falls as more of the prompt would have been cached", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, o, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const at = (share: number) =>
            priceLocalTurn(
              { generationMs: 0, promptTokens: p, outputTokens: o, claudeModel: "claude-opus-4-6" },
              { ...electricity, counterfactualCachedShare: share },
              prices,
            ).counterfactualMicroUsd!;
          return at(hi) <= at(lo);
        },
      ),
    );
  });

  it("usageFromAnthropic keeps every cache write token: 5m + 1h equals the reported total when the split fits", () => {
    fc.assert(
      fc.property(tokenCount, tokenCount, fc.integer({ min: 0, max: 1_000 }), (w5, w1, extra) => {
        const u = usageFromAnthropic({
          cache_creation_input_tokens: w5 + w1 + extra,
          cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 },
        });
        return u.cacheWrite5mTokens + u.cacheWrite1hTokens === w5 + w1 + extra && u.cacheWrite1hTokens === w1;
      }),
    );
  });
});
