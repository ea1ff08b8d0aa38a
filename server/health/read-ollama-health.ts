// Ollama's latest health verdict, as the router consumes it: the newest HealthSample, or "unknown"
// when there is none fresh enough to say anything about now (the rule in core/health/health-freshness,
// which the health page shares).
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import type { OllamaHealth } from "@/server/core/routing/decide-route";
import { isHealthSampleFresh } from "@/server/core/health/health-freshness";
import type { PolledHost, PoolHostView } from "@/server/core/health/ollama-pool";

export async function readOllamaHealth(db: Db, now = new Date()): Promise<OllamaHealth> {
  const sample = await db.prisma.healthSample.findFirst({
    orderBy: { takenAt: "desc" },
    select: { takenAt: true, status: true, reasons: true, hosts: true },
  });
  if (!sample || !isHealthSampleFresh(sample.takenAt, now, env().OFFLOAD_HEALTH_INTERVAL_S))
    return { status: "unknown" };
  const reasons = Array.isArray(sample.reasons) ? sample.reasons.filter((r): r is string => typeof r === "string") : [];
  const hosts = polledHosts(sample.hosts);
  return { status: sample.status, ...(reasons.length ? { reason: reasons.join("; ") } : {}), hosts };
}

const names = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((m: { name?: unknown }) => m?.name).filter((n): n is string => typeof n === "string") : [];

/** The router's part of each host in a sample's `hosts` (written by the health monitor). */
export function polledHosts(json: unknown): PolledHost[] {
  if (!Array.isArray(json)) return [];
  return (json as Partial<PoolHostView>[])
    .filter((h) => typeof h?.host === "string" && (h.status === "up" || h.status === "degraded" || h.status === "down"))
    .map((h) => ({ host: h.host!, status: h.status!, loaded: names(h.loaded), installed: names(h.installed) }));
}
