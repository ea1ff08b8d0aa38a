// When a health sample still speaks for now, pure: the one rule for the router (an older verdict
// counts as unknown) and the health page (an older sample is flagged stale and polled afresh).

/** The monitor polls every interval; a sample outlives two missed or slow polls, not a third. */
export const HEALTH_FRESH_POLLS = 3;

/** How long a health sample stays fresh, given the monitor's poll interval (OFFLOAD_HEALTH_INTERVAL_S). */
export function healthFreshForMs(pollIntervalSeconds: number): number {
  return HEALTH_FRESH_POLLS * pollIntervalSeconds * 1000;
}

/** Whether a sample taken at `takenAt` still says something about `now`. */
export function isHealthSampleFresh(takenAt: Date, now: Date, pollIntervalSeconds: number): boolean {
  return now.getTime() - takenAt.getTime() <= healthFreshForMs(pollIntervalSeconds);
}
