// Anthropic list prices, in micro-dollars per million tokens (USD 1 = 1_000_000 micro-dollars).
// Data, seeded into ModelPrice; an operator's override in the database wins over these rows.

export const USAGE_TYPES = ["input", "output", "cache_write_5m", "cache_write_1h", "cache_read"] as const;
export type UsageType = (typeof USAGE_TYPES)[number];

export type ModelPriceRow = { model: string } & Record<UsageType, number>;

/** Effective date of the list prices below. */
export const PRICE_TABLE_EFFECTIVE_FROM = "2026-01-01T00:00:00.000Z";

const usd = (dollarsPerMTok: number) => Math.round(dollarsPerMTok * 1_000_000);

function row(
  model: string,
  input: number,
  output: number,
  write5m: number,
  write1h: number,
  read: number,
): ModelPriceRow {
  return {
    model,
    input: usd(input),
    output: usd(output),
    cache_write_5m: usd(write5m),
    cache_write_1h: usd(write1h),
    cache_read: usd(read),
  };
}

export const DEFAULT_PRICE_TABLE: readonly ModelPriceRow[] = [
  row("claude-opus-4-6", 5, 25, 6.25, 10, 0.5),
  row("claude-opus-4-5", 5, 25, 6.25, 10, 0.5),
  row("claude-opus-4-1", 15, 75, 18.75, 30, 1.5),
  row("claude-sonnet-4-6", 3, 15, 3.75, 6, 0.3),
  row("claude-sonnet-4-5", 3, 15, 3.75, 6, 0.3),
  row("claude-haiku-4-5", 1, 5, 1.25, 2, 0.1),
];
