// Requests per minute, pure: a sliding window of the last minute's accepted requests (their times,
// oldest first). A request is taken while fewer than the limit were accepted in the 60 s before it;
// otherwise it waits until the oldest of them leaves the window.
export const RATE_WINDOW_MS = 60_000;

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Takes one request at `now` into `window` (mutated: expired times dropped, the request added when taken). */
export function takeRequest(window: number[], limit: number, now: number): RateVerdict {
  let expired = 0;
  while (expired < window.length && window[expired]! <= now - RATE_WINDOW_MS) expired++;
  if (expired) window.splice(0, expired);
  if (window.length >= limit) {
    // The request after which this one fits: the one `limit` back from the end of the window.
    const frees = window[window.length - limit]! + RATE_WINDOW_MS;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)) };
  }
  window.push(now);
  return { ok: true };
}
