// For a model the price table lacks: the name a new price is stored under, and a suggested price
// from the nearest priced model of the same family (a dated `claude-sonnet-4-7-20261001` is a
// Sonnet), to prefill the operator's form. A suggestion only: nothing is priced until the operator
// confirms it. Also the text form of a price in the audit (TierChange values).
import { USAGE_TYPES, type UsageType } from "./price-table";
import type { PriceMap } from "./price-turn";
import type { PricePerMTok } from "./price-usage";

const DATED_SUFFIX = /-(\d{8}|latest)$/;

/** A model name as the price table keys it: trimmed, lower case, without an `anthropic/` prefix. */
export function normalizeModelName(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^anthropic\//, "");
}

/**
 * The price-table name that would price this model: without a date or `-latest` suffix, as
 * resolveModelPrice (price-turn.ts) looks it up, so that one price covers every dated release.
 */
export function priceKeyOf(model: string): string {
  return normalizeModelName(model).replace(DATED_SUFFIX, "");
}

export type ModelFamily = { family: "opus" | "sonnet" | "haiku"; version: number };

/** The family and version of a Claude model name (`claude-sonnet-4-7`, `claude-3-5-haiku-20241022`), or null. */
export function modelFamily(model: string): ModelFamily | null {
  const key = priceKeyOf(model);
  // Current naming: claude-<family>-<major>[-<minor>]; the minor is one or two digits (a date is not).
  const current = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-|$)/.exec(key);
  if (current) return { family: current[1] as ModelFamily["family"], version: version(current[2]!, current[3]) };
  // Earlier naming: claude-<major>[-<minor>]-<family>.
  const earlier = /^claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)(?:-|$)/.exec(key);
  if (earlier) return { family: earlier[3] as ModelFamily["family"], version: version(earlier[1]!, earlier[2]) };
  return null;
}

function version(major: string, minor: string | undefined): number {
  return Number(major) + (minor === undefined ? 0 : Number(minor) / 100);
}

export type PriceSuggestion = { basedOn: string; price: PricePerMTok };

/** The price of the nearest version of the same family in the table (ties: the newer), or null. */
export function suggestModelPrice(model: string, prices: PriceMap): PriceSuggestion | null {
  const wanted = modelFamily(model);
  if (!wanted) return null;
  let best: { key: string; distance: number; version: number; price: PricePerMTok } | null = null;
  for (const [key, price] of prices) {
    const f = modelFamily(key);
    if (!f || f.family !== wanted.family || priceKeyOf(key) !== key) continue;
    const distance = Math.abs(f.version - wanted.version);
    if (!best || distance < best.distance || (distance === best.distance && f.version > best.version))
      best = { key, distance, version: f.version, price };
  }
  return best ? { basedOn: best.key, price: best.price } : null;
}

/** A price as the audit stores it: micro-dollars per million tokens per usage type, as JSON. */
export function encodePrice(price: PricePerMTok): string {
  return JSON.stringify(Object.fromEntries(USAGE_TYPES.map((u) => [u, Number(price[u])])));
}

/** The price in an audit value, or null when the value is not one (`unpriced`). */
export function decodePrice(value: string): PricePerMTok | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const entries = USAGE_TYPES.map((u) => [u, (parsed as Record<string, unknown>)[u]] as const);
  if (!entries.every(([, v]) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return null;
  return Object.fromEntries(entries.map(([u, v]) => [u, BigInt(v as number)])) as Record<UsageType, bigint>;
}
