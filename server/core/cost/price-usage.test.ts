import { describe, expect, it } from "vitest";
import { priceElectricity, priceUsage, type PricePerMTok } from "./price-usage";
import { DEFAULT_PRICE_TABLE, USAGE_TYPES } from "./price-table";
import { estimateCounterfactual, splitPromptForClaude } from "./estimate-counterfactual";
import { createRandom } from "../random";

function price(model: string): PricePerMTok {
  const row = DEFAULT_PRICE_TABLE.find((r) => r.model === model)!;
  return Object.fromEntries(USAGE_TYPES.map((u) => [u, BigInt(row[u])])) as PricePerMTok;
}

const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };

describe("priceUsage", () => {
  it("prices every usage type of claude-opus-4-6 at its list price", () => {
    const opus = price("claude-opus-4-6");
    expect(priceUsage({ ...zero, inputTokens: 1_000_000 }, opus)).toBe(5_000_000n);
    expect(priceUsage({ ...zero, outputTokens: 1_000_000 }, opus)).toBe(25_000_000n);
    expect(priceUsage({ ...zero, cacheWrite5mTokens: 1_000_000 }, opus)).toBe(6_250_000n);
    expect(priceUsage({ ...zero, cacheWrite1hTokens: 1_000_000 }, opus)).toBe(10_000_000n);
    expect(priceUsage({ ...zero, cacheReadTokens: 1_000_000 }, opus)).toBe(500_000n);
  });

  it("prices a realistic cached heartbeat exactly", () => {
    // 600 uncached + 11,000 cache read + 400 cache write (5m) + 150 output on Opus 4.6:
    // 600*5 + 11000*0.5 + 400*6.25 + 150*25 = 3000 + 5500 + 2500 + 3750 = 14,750 micro-dollars.
    expect(
      priceUsage(
        {
          inputTokens: 600,
          outputTokens: 150,
          cacheReadTokens: 11_000,
          cacheWrite5mTokens: 400,
          cacheWrite1hTokens: 0,
        },
        price("claude-opus-4-6"),
      ),
    ).toBe(14_750n);
  });

  it("rounds once, half up, instead of summing rounded parts", () => {
    // 1 token of cache read on Haiku is 0.1 micro-dollars: alone it rounds to 0, ten of them make 1.
    const haiku = price("claude-haiku-4-5");
    expect(priceUsage({ ...zero, cacheReadTokens: 1 }, haiku)).toBe(0n);
    expect(priceUsage({ ...zero, cacheReadTokens: 5 }, haiku)).toBe(1n);
    expect(priceUsage({ ...zero, cacheReadTokens: 10 }, haiku)).toBe(1n);
  });

  it("is additive within a micro-dollar per part and monotonic (random usages)", () => {
    const random = createRandom(7);
    const sonnet = price("claude-sonnet-4-6");
    for (let i = 0; i < 500; i++) {
      const a = {
        inputTokens: random.int(0, 50_000),
        outputTokens: random.int(0, 8_000),
        cacheReadTokens: random.int(0, 200_000),
        cacheWrite5mTokens: random.int(0, 20_000),
        cacheWrite1hTokens: random.int(0, 20_000),
      };
      const b = { ...a, outputTokens: a.outputTokens + random.int(1, 1000) };
      const whole = priceUsage(a, sonnet);
      const parts = (
        ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWrite5mTokens", "cacheWrite1hTokens"] as const
      ).reduce((sum, k) => sum + priceUsage({ ...zero, [k]: a[k] }, sonnet), 0n);
      expect(whole - parts <= 3n && parts - whole <= 3n).toBe(true);
      expect(priceUsage(b, sonnet) > whole).toBe(true);
    }
  });
});

describe("priceElectricity", () => {
  it("is watts x seconds x price per kWh", () => {
    // 350 W for one hour at $0.15/kWh = 0.35 kWh x 0.15 = $0.0525.
    expect(priceElectricity(3_600_000, { gpuWatts: 350, electricityMicroUsdPerKwh: 150_000 })).toBe(52_500n);
    // 3 s of generation: 350 * 3000 * 150000 / 3.6e9 = 43.75 -> 44 micro-dollars.
    expect(priceElectricity(3_000, { gpuWatts: 350, electricityMicroUsdPerKwh: 150_000 })).toBe(44n);
    expect(priceElectricity(0, { gpuWatts: 350, electricityMicroUsdPerKwh: 150_000 })).toBe(0n);
  });
});

describe("estimateCounterfactual", () => {
  it("splits the prompt by the cached share and prices it on Claude", () => {
    expect(splitPromptForClaude(10_000, 200, 0.8)).toMatchObject({
      inputTokens: 2_000,
      cacheReadTokens: 8_000,
      outputTokens: 200,
    });
    // 2000*5 + 8000*0.5 + 200*25 = 10000 + 4000 + 5000 = 19,000 micro-dollars.
    expect(estimateCounterfactual(10_000, 200, 0.8, price("claude-opus-4-6"))).toBe(19_000n);
    expect(estimateCounterfactual(10_000, 200, 0, price("claude-opus-4-6"))).toBe(55_000n);
  });
});
