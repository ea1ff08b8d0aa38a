import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_TABLE, USAGE_TYPES } from "./price-table";
import { resolveModelPrice, type PriceMap } from "./price-turn";
import type { PricePerMTok } from "./price-usage";
import { decodePrice, encodePrice, modelFamily, priceKeyOf, suggestModelPrice } from "./suggest-price";

const prices: PriceMap = new Map(
  DEFAULT_PRICE_TABLE.map((r) => [
    r.model,
    Object.fromEntries(USAGE_TYPES.map((u) => [u, BigInt(r[u])])) as PricePerMTok,
  ]),
);

describe("price suggestions for unpriced models", () => {
  it("keys a price by the name without a date, as resolveModelPrice looks it up", () => {
    expect(priceKeyOf(" Anthropic/claude-sonnet-4-7-20261001 ")).toBe("claude-sonnet-4-7");
    expect(priceKeyOf("claude-opus-4-6-latest")).toBe("claude-opus-4-6");
    expect(priceKeyOf("claude-mystery")).toBe("claude-mystery");
    // Whatever priceKeyOf names, a price stored under it prices the dated name.
    for (const name of ["claude-sonnet-4-7-20261001", "anthropic/claude-sonnet-4-7", "claude-sonnet-4-7-latest"]) {
      const withKey = new Map(prices).set(priceKeyOf(name), prices.get("claude-sonnet-4-6")!);
      expect(resolveModelPrice(withKey, name), name).toBe(prices.get("claude-sonnet-4-6"));
    }
  });

  it("reads the family and version of current and earlier names", () => {
    expect(modelFamily("claude-sonnet-4-7-20261001")).toEqual({ family: "sonnet", version: 4.07 });
    expect(modelFamily("claude-opus-4-20250514")).toEqual({ family: "opus", version: 4 });
    expect(modelFamily("claude-3-5-haiku-20241022")).toEqual({ family: "haiku", version: 3.05 });
    expect(modelFamily("gpt-4o")).toBeNull();
  });

  it("suggests the nearest priced version of the same family", () => {
    expect(suggestModelPrice("claude-sonnet-4-7-20261001", prices)).toEqual({
      basedOn: "claude-sonnet-4-6",
      price: prices.get("claude-sonnet-4-6"),
    });
    // Opus 4 sits nearest Opus 4.1 and its price (15 / 75), not the newer 5 / 25.
    expect(suggestModelPrice("claude-opus-4-20250514", prices)?.basedOn).toBe("claude-opus-4-1");
    expect(suggestModelPrice("claude-haiku-5", prices)?.basedOn).toBe("claude-haiku-4-5");
    expect(suggestModelPrice("claude-mystery-9", prices)).toBeNull();
  });

  it("writes a price for the audit and reads it back", () => {
    const price = prices.get("claude-opus-4-6")!;
    expect(decodePrice(encodePrice(price))).toEqual(price);
    expect(decodePrice("unpriced")).toBeNull();
    expect(decodePrice('{"input":1}')).toBeNull();
  });
});
