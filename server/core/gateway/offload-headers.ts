// The x-offload-* headers every agent-endpoint answer carries, errors included: which lane served
// the turn (or `none`), which model, why (short, printable ASCII, so any HTTP stack takes it), and
// the recorded turn's id when there is one.
import type { Lane } from "../lanes";

export type OffloadOutcome = {
  lane: Lane | "none";
  model: string;
  reason: string;
  turnId?: string | null;
};

const REASON_MAX = 160;
const MODEL_MAX = 100;

/** Printable ASCII only, whitespace folded, cut to `max` characters (`-` when nothing is left). */
export function headerSafe(value: string, max: number): string {
  const folded = value
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/[^\x20-\x7e]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const cut = folded.length > max ? `${folded.slice(0, max - 3).trimEnd()}...` : folded;
  return cut || "-";
}

export function offloadHeaders(outcome: OffloadOutcome): Record<string, string> {
  return {
    "x-offload-lane": outcome.lane,
    "x-offload-model": headerSafe(outcome.model || "none", MODEL_MAX),
    "x-offload-reason": headerSafe(outcome.reason, REASON_MAX),
    ...(outcome.turnId ? { "x-offload-turn-id": outcome.turnId } : {}),
  };
}
