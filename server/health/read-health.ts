// The health page's and the health API's view: the newest sample (polled now when there is none
// or it is stale), the samples over the last hours for the charts, and the recent local errors.
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import type { InstalledModel, LoadedModel } from "@/server/core/health/judge-health";
import { isHealthSampleFresh } from "@/server/core/health/health-freshness";
import type { GpuReading } from "./nvidia-smi";
import { pollHealth } from "./health-monitor";
import { configuredOllamaHosts, ollamaHostsSource, type OllamaHostsSource } from "./ollama-hosts";
import { readSettings } from "@/server/db/settings";
import type { PoolHostView } from "@/server/core/health/ollama-pool";

export type HealthStatusView = {
  status: "up" | "degraded" | "down";
  reasons: string[];
  takenAt: Date;
  /** The sample is no longer fresh (core/health/health-freshness): the monitor is not running or stuck. */
  stale: boolean;
  /** The pool's first host (the only one without a pool). */
  ollamaHost: string;
  /** Every host of the pool, as configured, and where the list comes from. */
  ollamaHosts: string[];
  ollamaHostsSource: OllamaHostsSource;
  /** Each host as the newest sample saw it (a host added since has no entry until the next poll). */
  hosts: PoolHostView[];
  ollamaVersion: string | null;
  responseMs: number | null;
  installedModels: InstalledModel[];
  loadedModels: LoadedModel[];
  tokensPerSecond: number | null;
  speedSource: string | null;
  localTurns: number;
  localErrorRate: number | null;
  localP95Ms: number | null;
  coldLoads: number;
  inFlight: number;
  gpu: GpuReading[] | null;
  /** When Ollama last answered (the newest sample that was not down for a failed poll). */
  lastAnsweredAt: Date | null;
};

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export async function readHealthStatus(db: Db, now = new Date()): Promise<HealthStatusView> {
  const { OFFLOAD_HEALTH_INTERVAL_S } = env();
  const settings = await readSettings(db);
  const ollamaHosts = configuredOllamaHosts(settings);
  const fresh = (takenAt: Date) => isHealthSampleFresh(takenAt, now, OFFLOAD_HEALTH_INTERVAL_S);
  let sample = await db.prisma.healthSample.findFirst({ orderBy: { takenAt: "desc" } });
  if (!sample || !fresh(sample.takenAt)) {
    await pollHealth(db, now);
    sample = await db.prisma.healthSample.findFirst({ orderBy: { takenAt: "desc" } });
  }
  const s = sample!;
  const answered = await db.prisma.healthSample.findFirst({
    where: { ollamaVersion: { not: null } },
    orderBy: { takenAt: "desc" },
    select: { takenAt: true },
  });
  return {
    status: s.status,
    reasons: asArray<string>(s.reasons),
    takenAt: s.takenAt,
    stale: !fresh(s.takenAt),
    ollamaHost: ollamaHosts[0]!,
    ollamaHosts,
    ollamaHostsSource: ollamaHostsSource(settings),
    hosts: asArray<PoolHostView>(s.hosts),
    ollamaVersion: s.ollamaVersion,
    responseMs: s.responseMs,
    installedModels: asArray<InstalledModel>(s.installedModels),
    loadedModels: asArray<LoadedModel>(s.loadedModels),
    tokensPerSecond: s.tokensPerSecond,
    speedSource: s.speedSource,
    localTurns: s.localTurns,
    localErrorRate: s.localErrorRate,
    localP95Ms: s.localP95Ms,
    coldLoads: s.coldLoads,
    inFlight: s.inFlight,
    gpu: Array.isArray(s.gpu) ? (s.gpu as GpuReading[]) : null,
    lastAnsweredAt: answered?.takenAt ?? null,
  };
}

export type HealthPoint = {
  takenAt: Date;
  status: string;
  tokensPerSecond: number | null;
  localP95Ms: number | null;
  responseMs: number | null;
};

/** Samples over the last `hours`, at most ~300 points (evenly thinned) for the charts. */
export async function readHealthHistory(db: Db, hours: number, now = new Date()): Promise<HealthPoint[]> {
  const rows = await db.prisma.healthSample.findMany({
    where: { takenAt: { gte: new Date(now.getTime() - hours * 3_600_000) } },
    orderBy: { takenAt: "asc" },
    select: { takenAt: true, status: true, tokensPerSecond: true, localP95Ms: true, responseMs: true },
  });
  const step = Math.max(1, Math.ceil(rows.length / 300));
  return rows.filter((_, i) => i % step === 0 || i === rows.length - 1);
}

export type LocalErrorRow = {
  id: string;
  startedAt: Date;
  agentId: string;
  status: string;
  errorMessage: string | null;
  servedModel: string;
};

export async function readRecentLocalErrors(db: Db, limit = 10): Promise<LocalErrorRow[]> {
  return db.prisma.turn.findMany({
    where: {
      lane: { not: "claude" },
      status: { in: ["error", "escalated"] },
      startedAt: { gte: new Date(Date.now() - 24 * 3_600_000) },
    },
    orderBy: { startedAt: "desc" },
    take: limit,
    select: { id: true, startedAt: true, agentId: true, status: true, errorMessage: true, servedModel: true },
  });
}
