// Ollama's latest health verdict, as the router consumes it: the newest HealthSample, or "unknown"
// when there is none recent enough to say anything about now.
import type { Db } from "@/server/db/client";
import type { OllamaHealth } from "@/server/core/routing/decide-route";

/** A health sample older than this says nothing about now. */
const HEALTH_FRESH_MS = 2 * 60_000;

export async function readOllamaHealth(db: Db, now = new Date()): Promise<OllamaHealth> {
  const sample = await db.prisma.healthSample.findFirst({
    orderBy: { takenAt: "desc" },
    select: { takenAt: true, status: true, reasons: true },
  });
  if (!sample || now.getTime() - sample.takenAt.getTime() > HEALTH_FRESH_MS) return { status: "unknown" };
  const reasons = Array.isArray(sample.reasons) ? sample.reasons.filter((r): r is string => typeof r === "string") : [];
  return { status: sample.status, ...(reasons.length ? { reason: reasons.join("; ") } : {}) };
}
