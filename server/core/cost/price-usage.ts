// Turn cost from token usage, in integer micro-dollars. Sums numerators and divides once.
import type { UsageType } from "./price-table";

export type TokenUsage = {
  inputTokens: number; // uncached input only (Anthropic's input_tokens)
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
};

export type PricePerMTok = Record<UsageType, bigint>;

const MILLION = 1_000_000n;

/** Cost of a usage at a price (micro-dollars per million tokens), rounded half up to a micro-dollar. */
export function priceUsage(usage: TokenUsage, price: PricePerMTok): bigint {
  const numerator =
    BigInt(usage.inputTokens) * price.input +
    BigInt(usage.outputTokens) * price.output +
    BigInt(usage.cacheReadTokens) * price.cache_read +
    BigInt(usage.cacheWrite5mTokens) * price.cache_write_5m +
    BigInt(usage.cacheWrite1hTokens) * price.cache_write_1h;
  return (numerator + MILLION / 2n) / MILLION;
}

export type ElectricitySettings = { gpuWatts: number; electricityMicroUsdPerKwh: number };

/** Electricity a local generation used: watts x seconds x price per kWh, in micro-dollars. */
export function priceElectricity(generationMs: number, settings: ElectricitySettings): bigint {
  const denominator = 3_600_000_000n; // ms per hour x W per kW
  const numerator =
    BigInt(Math.round(settings.gpuWatts)) *
    BigInt(Math.max(0, Math.round(generationMs))) *
    BigInt(settings.electricityMicroUsdPerKwh);
  return (numerator + denominator / 2n) / denominator;
}
