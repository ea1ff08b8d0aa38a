// An agent is stale when it has missed three of its heartbeats (and at least 15 minutes passed).

export function isAgentStale(lastSeenAt: Date | null, heartbeatMinutes: number, now: Date): boolean {
  if (!lastSeenAt) return true;
  const allowedMs = Math.max(15, heartbeatMinutes * 3) * 60_000;
  return now.getTime() - lastSeenAt.getTime() > allowedMs;
}
