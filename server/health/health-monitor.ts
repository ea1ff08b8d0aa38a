// The health monitor: polls Ollama every OFFLOAD_HEALTH_INTERVAL_S (15 s), judges it with the
// fleet's recent local turns, stores a HealthSample, and thins old samples (full rate for 7 days,
// then one an hour). The router reads the newest sample; a change of verdict reaches the gateway
// at once in this process.
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { readSettings } from "@/server/db/settings";
import { judgeHealth, type HealthVerdict, type Probe } from "@/server/core/health/judge-health";
import { probeChatSpeed, probeOllama } from "./probe-ollama";
import { readLocalTurnStats } from "./local-turn-stats";
import { readNvidiaSmi } from "./nvidia-smi";
import { localRequestsInFlight } from "@/server/providers/ollama-client";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { setOllamaVerdict } from "@/server/metrics/offload-metrics";
import { log } from "@/server/process/log";

const FULL_RATE_DAYS = 7;
const THIN_EVERY_MS = 60 * 60_000;

export type PollResult = { probe: Probe; verdict: HealthVerdict; sampleId: string };

/** One poll: probe, judge, store. */
export async function pollHealth(db: Db, now = new Date()): Promise<PollResult> {
  const host = env().OLLAMA_HOST;
  const settings = await readSettings(db);
  const [probe, stats, gpu, agents] = await Promise.all([
    probeOllama(host),
    readLocalTurnStats(db, now),
    readNvidiaSmi(),
    db.prisma.agent.findMany({ where: { removedAt: null }, select: { localModel: true } }),
  ]);
  const localModels = [...new Set([settings.defaultLocalModel, ...agents.map((a) => a.localModel)])];
  const probeSpeed =
    settings.healthProbeChat && probe.ok ? await probeChatSpeed(settings.defaultLocalModel, host) : null;
  const verdict = judgeHealth(
    probe,
    stats,
    {
      localModels,
      gpuVramGb: settings.gpuVramGb,
      minTokensPerSecond: settings.healthMinTokensPerSecond,
      maxErrorRate: settings.healthMaxErrorRate,
      maxP95Seconds: settings.healthMaxP95Seconds,
      localKeepAliveMinutes: settings.localKeepAliveMinutes,
    },
    host,
    probeSpeed,
  );
  const previous = await db.prisma.healthSample.findFirst({ orderBy: { takenAt: "desc" }, select: { status: true } });
  const sample = await db.prisma.healthSample.create({
    data: {
      takenAt: now,
      status: verdict.status,
      reasons: [...verdict.reasons, ...verdict.notes],
      ollamaVersion: probe.ok ? probe.version : null,
      responseMs: probe.responseMs,
      loadedModels: probe.ok ? probe.loaded : [],
      installedModels: probe.ok ? probe.installed : [],
      tokensPerSecond: verdict.tokensPerSecond,
      speedSource: verdict.speedSource,
      gpu: gpu ?? undefined,
      localTurns: stats.turns,
      localErrorRate: verdict.errorRate,
      localP95Ms: stats.p95LatencyMs,
      coldLoads: stats.coldLoadsLastHour,
      inFlight: localRequestsInFlight(),
    },
    select: { id: true },
  });
  if (previous?.status !== verdict.status) invalidateGatewayState();
  setOllamaVerdict(host, verdict.status);
  return { probe, verdict, sampleId: sample.id };
}

/** Keeps every sample of the last 7 days and, before that, the first sample of each hour. */
export async function thinHealthSamples(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - FULL_RATE_DAYS * 86_400_000).toISOString();
  const rows = await db.sql.query<{ n: string }>(
    `with ranked as (
       select "id", row_number() over (partition by date_trunc('hour', "takenAt") order by "takenAt") as rn
       from "HealthSample" where "takenAt" < $1::timestamptz
     ), gone as (delete from "HealthSample" where "id" in (select "id" from ranked where rn > 1) returning 1)
     select count(*)::bigint as n from gone`,
    [cutoff],
  );
  return Number(rows[0]?.n ?? 0);
}

export type MonitorState = { timer: NodeJS.Timeout | null; lastThin: number; running: boolean };
const state = processSlot("healthMonitor", () => ({ timer: null, lastThin: 0, running: false }));

/** Starts polling (once per process); returns a stop function. */
export function startHealthMonitor(getDb: () => Promise<Db>): () => void {
  if (state.timer) return () => stopHealthMonitor();
  const intervalMs = env().OFFLOAD_HEALTH_INTERVAL_S * 1000;
  const tick = async () => {
    if (state.running) return; // a slow poll never overlaps the next
    state.running = true;
    try {
      const db = await getDb();
      await pollHealth(db);
      if (Date.now() - state.lastThin > THIN_EVERY_MS) {
        state.lastThin = Date.now();
        await thinHealthSamples(db);
      }
    } catch (err) {
      log.warn({ err }, "the health poll failed");
    } finally {
      state.running = false;
    }
  };
  void tick();
  state.timer = setInterval(() => void tick(), intervalMs);
  state.timer.unref();
  return () => stopHealthMonitor();
}

export function stopHealthMonitor(): void {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}
