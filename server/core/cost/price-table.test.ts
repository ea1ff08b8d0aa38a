import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_TABLE, PRICE_TABLE_EFFECTIVE_FROM, USAGE_TYPES } from "./price-table";

describe("the default price table", () => {
  it("has one row per model and a positive integer price for every usage type", () => {
    const models = DEFAULT_PRICE_TABLE.map((r) => r.model);
    expect(new Set(models).size).toBe(models.length);
    for (const row of DEFAULT_PRICE_TABLE) {
      for (const usage of USAGE_TYPES) {
        expect(Number.isInteger(row[usage]), `${row.model} ${usage}`).toBe(true);
        expect(row[usage]).toBeGreaterThan(0);
      }
    }
    expect(Number.isNaN(Date.parse(PRICE_TABLE_EFFECTIVE_FROM))).toBe(false);
  });

  it("follows Anthropic's multipliers: write 5m 1.25x, write 1h 2x, read 0.1x of input", () => {
    for (const row of DEFAULT_PRICE_TABLE) {
      expect(row.cache_write_5m * 4).toBe(row.input * 5);
      expect(row.cache_write_1h).toBe(row.input * 2);
      expect(row.cache_read * 10).toBe(row.input);
    }
  });

  it("carries the design's list prices (USD per million tokens)", () => {
    const usd = (model: string) => {
      const r = DEFAULT_PRICE_TABLE.find((x) => x.model === model)!;
      return USAGE_TYPES.map((u) => r[u] / 1_000_000);
    };
    expect(usd("claude-opus-4-6")).toEqual([5, 25, 6.25, 10, 0.5]);
    expect(usd("claude-opus-4-5")).toEqual([5, 25, 6.25, 10, 0.5]);
    expect(usd("claude-opus-4-1")).toEqual([15, 75, 18.75, 30, 1.5]);
    expect(usd("claude-sonnet-4-6")).toEqual([3, 15, 3.75, 6, 0.3]);
    expect(usd("claude-sonnet-4-5")).toEqual([3, 15, 3.75, 6, 0.3]);
    expect(usd("claude-haiku-4-5")).toEqual([1, 5, 1.25, 2, 0.1]);
  });
});
