// Small display helpers shared by the dashboard's pages.
import { LANE_LABEL, isLane } from "@/server/core/lanes";
import { formatMicroUsd } from "@/server/core/money";
import { decodePrice } from "@/server/core/cost/suggest-price";

export function formatAgo(at: Date | null, now: Date): string {
  if (!at) return "never";
  const minutes = Math.round((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A UTC calendar day (YYYY-MM-DD) for people: "1 September 2026". */
export function formatUtcDay(day: string): string {
  return new Date(`${day}T00:00:00.000Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** A price per million tokens, input and output: "$3.00 in / $15.00 out per MTok". */
export function describePricePair(price: { input: bigint; output: bigint }): string {
  return `${formatMicroUsd(price.input)} in / ${formatMicroUsd(price.output)} out per MTok`;
}

/** How a TierChange value reads: a lane's label, an agent's pin, a mapping's target or a model's price. */
export function describeChangeValue(subjectType: string, value: string, names?: Record<string, string>): string {
  if (subjectType === "task_type") return isLane(value) ? LANE_LABEL[value] : value;
  if (subjectType === "model_mapping") return value === "none" ? "not mapped" : `served as ${value}`;
  if (subjectType === "fingerprint")
    return value === "none" ? "no rule" : `routed as ${names && Object.hasOwn(names, value) ? names[value] : value}`;
  if (subjectType === "model_price") {
    const price = decodePrice(value);
    return price ? describePricePair(price) : value;
  }
  return value === "none" ? "per task" : `pinned ${value}`;
}
