// Failed sign-ins and wrong admin tokens, counted per client address in this process's memory: after
// MAX_FAILURES in a minute the address gets no further try until the minute is over (429 with
// Retry-After), whatever it sends, the right token included; guessing the token is then ten tries a
// minute instead of hundreds a second. A restart forgets the counts.
import "server-only";
import { processSlot } from "@/server/process/process-registry";

export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at most; beyond it the expired ones are dropped (then the oldest). */
const MAX_ADDRESSES = 10_000;

export type FailedAttempts = Map<string, { count: number; resetAt: number }>;

const attempts = (): FailedAttempts => processSlot("failedAttempts", () => new Map());

/** Seconds until `address` may try again, or null when it may try now. */
export function lockedOutFor(address: string, now = Date.now()): number | null {
  const entry = attempts().get(address);
  if (!entry || entry.resetAt <= now || entry.count < MAX_FAILURES) return null;
  return Math.max(1, Math.ceil((entry.resetAt - now) / 1000));
}

/** Counts one failed attempt from `address`; returns the seconds it is now locked out for, or null. */
export function recordFailure(address: string, now = Date.now()): number | null {
  const map = attempts();
  const entry = map.get(address);
  if (!entry || entry.resetAt <= now) {
    if (map.size >= MAX_ADDRESSES) prune(map, now);
    map.set(address, { count: 1, resetAt: now + FAILURE_WINDOW_MS });
  } else {
    entry.count++;
  }
  return lockedOutFor(address, now);
}

function prune(map: FailedAttempts, now: number): void {
  for (const [address, entry] of map) if (entry.resetAt <= now) map.delete(address);
  while (map.size >= MAX_ADDRESSES) map.delete(map.keys().next().value!);
}

/** For tests: forget every count. */
export function resetFailedAttempts(): void {
  attempts().clear();
}
