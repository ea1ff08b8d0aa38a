// Ollama's latest health verdict, as the router consumes it: the newest HealthSample, or "unknown"
// when there is none fresh enough to say anything about now (the rule in core/health/health-freshness,
// which the health page shares).
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import type { OllamaHealth } from "@/server/core/routing/decide-route";
import { isHealthSampleFresh } from "@/server/core/health/health-freshness";

export async function readOllamaHealth(db: Db, now = new Date()): Promise<OllamaHealth> {
  const sample = await db.prisma.healthSample.findFirst({
    orderBy: { takenAt: "desc" },
    select: { takenAt: true, status: true, reasons: true },
  });
  if (!sample || !isHealthSampleFresh(sample.takenAt, now, env().OFFLOAD_HEALTH_INTERVAL_S))
    return { status: "unknown" };
  const reasons = Array.isArray(sample.reasons) ? sample.reasons.filter((r): r is string => typeof r === "string") : [];
  return { status: sample.status, ...(reasons.length ? { reason: reasons.join("; ") } : {}) };
}
