// The health monitor: polls every Ollama host of the pool every OFFLOAD_HEALTH_INTERVAL_S (15 s),
// judges each host and the pool with recent local turns, stores a HealthSample, and thins old
// samples (full rate for 7 days, then one an hour). The router reads the newest sample; a change
// of verdict reaches the gateway at once in this process.
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { readSettings } from "@/server/db/settings";
import type { LocalTurnStats, Probe } from "@/server/core/health/judge-health";
import { judgePool, type PoolVerdict } from "@/server/core/health/ollama-pool";
import { clearHostFailure, configuredOllamaHosts } from "./ollama-hosts";
import { polledHosts } from "./read-ollama-health";
import { probeChatSpeed, probeOllama } from "./probe-ollama";
import { readLocalTurnStats, readLocalTurnStatsByHost } from "./local-turn-stats";
import { readNvidiaSmi } from "./nvidia-smi";
import { localRequestsInFlight } from "@/server/providers/ollama-client";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { setOllamaVerdict } from "@/server/metrics/offload-metrics";
import { log } from "@/server/process/log";

const FULL_RATE_DAYS = 7;
const THIN_EVERY_MS = 60 * 60_000;

export type PollResult = { probe: Probe; verdict: PoolVerdict; sampleId: string };

const EMPTY_STATS: LocalTurnStats = {
  turns: 0,
  failed: 0,
  p95LatencyMs: null,
  tokensPerSecondP50: null,
  coldLoadsLastHour: 0,
};

/** One poll: probe every host of the pool, judge each and the pool, store. */
export async function pollHealth(db: Db, now = new Date()): Promise<PollResult> {
  const settings = await readSettings(db);
  const hosts = configuredOllamaHosts(settings);
  const [probes, stats, byHost, gpu, agents] = await Promise.all([
    Promise.all(hosts.map((h) => probeOllama(h))),
    readLocalTurnStats(db, now),
    hosts.length > 1 ? readLocalTurnStatsByHost(db, now) : new Map<string, LocalTurnStats>(),
    readNvidiaSmi(),
    db.prisma.agent.findMany({ where: { removedAt: null }, select: { localModel: true } }),
  ]);
  const localModels = [...new Set([settings.defaultLocalModel, ...agents.map((a) => a.localModel)])];
  const speeds = await Promise.all(
    probes.map((probe, i) =>
      settings.healthProbeChat && probe.ok ? probeChatSpeed(settings.defaultLocalModel, hosts[i]) : null,
    ),
  );
  const verdict = judgePool(
    hosts.map((host, i) => ({
      host,
      probe: probes[i]!,
      stats: byHost.get(host) ?? EMPTY_STATS,
      probeTokensPerSecond: speeds[i] ?? null,
      inFlight: localRequestsInFlight(host),
    })),
    stats,
    {
      localModels,
      gpuVramGb: settings.gpuVramGb,
      minTokensPerSecond: settings.healthMinTokensPerSecond,
      maxErrorRate: settings.healthMaxErrorRate,
      maxP95Seconds: settings.healthMaxP95Seconds,
      localKeepAliveMinutes: settings.localKeepAliveMinutes,
    },
  );
  // The sample's single-server columns: the first host that answered (the only one without a pool).
  const answered = probes.find((p) => p.ok);
  const probe = answered ?? probes[0]!;
  const seen = new Set<string>();
  const installed = probes
    .flatMap((p) => (p.ok ? p.installed : []))
    .filter((m) => !seen.has(m.name) && seen.add(m.name));
  const previous = await db.prisma.healthSample.findFirst({
    orderBy: { takenAt: "desc" },
    select: { status: true, hosts: true },
  });
  const sample = await db.prisma.healthSample.create({
    data: {
      takenAt: now,
      status: verdict.status,
      reasons: [...verdict.reasons, ...verdict.notes],
      ollamaVersion: answered?.ok ? answered.version : null,
      responseMs: probe.responseMs,
      loadedModels: probes.flatMap((p) => (p.ok ? p.loaded : [])),
      installedModels: installed,
      tokensPerSecond: verdict.tokensPerSecond,
      speedSource: verdict.speedSource,
      gpu: gpu ?? undefined,
      localTurns: stats.turns,
      localErrorRate: verdict.errorRate,
      localP95Ms: stats.p95LatencyMs,
      coldLoads: stats.coldLoadsLastHour,
      inFlight: localRequestsInFlight(),
      hosts: verdict.hosts,
    },
    select: { id: true },
  });
  probes.forEach((p, i) => p.ok && clearHostFailure(hosts[i]!));
  // A change of the verdict, or of a host's (its status, its loaded or installed models), reaches the router at once.
  const routed = (hosts: unknown) => JSON.stringify(polledHosts(hosts));
  if (previous?.status !== verdict.status || routed(previous.hosts) !== routed(verdict.hosts)) invalidateGatewayState();
  for (const h of verdict.hosts) setOllamaVerdict(h.host, h.status);
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
