// Per-day averages over a trailing window that ends now (today's partial day included): the
// divisor is the time actually observed (from the later of the window start and the agent's
// creation), never less than one day, so a partial day or a new agent does not look quieter
// than it is.

const DAY_MS = 86_400_000;

export function daysObserved(windowStart: Date, createdAt: Date | null, now: Date): number {
  const start = Math.max(windowStart.getTime(), createdAt?.getTime() ?? windowStart.getTime());
  return Math.max(1, (now.getTime() - start) / DAY_MS);
}

export function perDay(total: number, days: number): number {
  return total / days;
}

/** Integer micro-dollars per day, rounded half away from zero; stays in bigint. */
export function microUsdPerDay(total: bigint, days: number): bigint {
  // Scale the divisor to millidays so the division stays in integers.
  const millidays = BigInt(Math.max(1, Math.round(days * 1000)));
  const scaled = total * 1000n;
  const q = scaled / millidays;
  const r = scaled % millidays;
  const abs = r < 0n ? -r : r;
  if (abs * 2n >= millidays) return q + (scaled < 0n ? -1n : 1n);
  return q;
}
