// The verdict on the local model server, pure: what one poll saw (Ollama's answers or how it
// failed), the fleet's recent local turns, and the operator's thresholds in; up, degraded or down
// with reasons an operator can act on out.

export type ProbeFailure = {
  kind: "refused" | "timeout" | "http" | "malformed" | "other";
  message: string;
  status?: number;
};

export type LoadedModel = {
  name: string;
  size: number;
  sizeVram: number;
  expiresAt: string | null;
  contextLength: number | null;
};
export type InstalledModel = { name: string; size: number };

export type Probe =
  | { ok: true; version: string; installed: InstalledModel[]; loaded: LoadedModel[]; responseMs: number }
  | { ok: false; failure: ProbeFailure; responseMs: number };

export type LocalTurnStats = {
  /** Local turns in the last 15 minutes, and how many failed or were escalated for an error. */
  turns: number;
  failed: number;
  p95LatencyMs: number | null;
  /** p50 of output tokens / generation seconds over those turns. */
  tokensPerSecondP50: number | null;
  /** Local turns in the last hour that paid a model load over 1 s. */
  coldLoadsLastHour: number;
};

export type HealthThresholds = {
  localModels: string[];
  gpuVramGb: number;
  minTokensPerSecond: number;
  maxErrorRate: number;
  maxP95Seconds: number;
  localKeepAliveMinutes: number;
};

export type HealthVerdict = {
  status: "up" | "degraded" | "down";
  reasons: string[];
  /** Hints that do not change the status (cold loads). */
  notes: string[];
  tokensPerSecond: number | null;
  speedSource: "turns" | "probe" | null;
  errorRate: number | null;
};

/** Errors worth counting toward the error rate need a handful of turns to mean anything. */
const MIN_TURNS_FOR_RATES = 5;
const GB = 1024 ** 3;

function describeFailure(f: ProbeFailure, host: string): string {
  switch (f.kind) {
    case "refused":
      return `connection refused at ${host}: is Ollama running? (ollama serve)`;
    case "timeout":
      return `no answer from ${host} within the poll timeout`;
    case "http":
      return `Ollama answered HTTP ${f.status ?? "error"}${f.message ? `: ${f.message}` : ""}`;
    case "malformed":
      return `${host} answered with something that is not Ollama's JSON (${f.message})`;
    default:
      return `could not reach ${host}: ${f.message}`;
  }
}

const matches = (name: string, wanted: string) =>
  name === wanted || name === `${wanted}:latest` || `${name}:latest` === wanted;

export function judgeHealth(
  probe: Probe,
  stats: LocalTurnStats,
  t: HealthThresholds,
  host: string,
  probeTokensPerSecond: number | null = null,
): HealthVerdict {
  const notes: string[] = [];
  if (stats.coldLoadsLastHour > 0) {
    notes.push(
      `${stats.coldLoadsLastHour} local turn${stats.coldLoadsLastHour === 1 ? "" : "s"} paid a model load (over 1 s) in the last hour` +
        (stats.coldLoadsLastHour > 1
          ? `: raise the keep-alive (now ${t.localKeepAliveMinutes} min) if this recurs`
          : ""),
    );
  }
  const errorRate = stats.turns >= MIN_TURNS_FOR_RATES ? stats.failed / stats.turns : null;
  const speed = stats.tokensPerSecondP50 ?? probeTokensPerSecond;
  const speedSource = stats.tokensPerSecondP50 !== null ? "turns" : probeTokensPerSecond !== null ? "probe" : null;
  if (!probe.ok)
    return {
      status: "down",
      reasons: [describeFailure(probe.failure, host)],
      notes,
      tokensPerSecond: speed,
      speedSource,
      errorRate,
    };

  const down: string[] = [];
  for (const model of t.localModels) {
    if (!probe.installed.some((m) => matches(m.name, model)))
      down.push(`the local model ${model} is not installed: run \`ollama pull ${model}\` on the Ollama host`);
  }
  if (down.length) return { status: "down", reasons: down, notes, tokensPerSecond: speed, speedSource, errorRate };

  const degraded: string[] = [];
  for (const m of probe.loaded) {
    if (m.size > 0 && m.sizeVram < m.size) {
      const cpuShare = Math.round(((m.size - m.sizeVram) / m.size) * 100);
      degraded.push(`${m.name} is only partly on the GPU: ${cpuShare}% of it runs on the CPU and will be slow`);
    }
  }
  const vramBytes = t.gpuVramGb * GB;
  const used = probe.loaded.reduce((n, m) => n + m.sizeVram, 0);
  if (used > 0 && vramBytes - used < vramBytes * 0.1) {
    degraded.push(`the loaded models use ${(used / GB).toFixed(1)} of ${t.gpuVramGb} GB of GPU memory: under 10% free`);
  }
  if (speed !== null && speed < t.minTokensPerSecond) {
    degraded.push(`local generation runs at ${speed.toFixed(1)} tokens/s, below ${t.minTokensPerSecond} tokens/s`);
  }
  if (errorRate !== null && errorRate > t.maxErrorRate) {
    degraded.push(
      `${Math.round(errorRate * 100)}% of the last 15 minutes' local turns failed (${stats.failed} of ${stats.turns}), above ${Math.round(t.maxErrorRate * 100)}%`,
    );
  }
  if (
    stats.p95LatencyMs !== null &&
    stats.turns >= MIN_TURNS_FOR_RATES &&
    stats.p95LatencyMs > t.maxP95Seconds * 1000
  ) {
    degraded.push(`local p95 latency is ${(stats.p95LatencyMs / 1000).toFixed(1)} s, above ${t.maxP95Seconds} s`);
  }
  return {
    status: degraded.length ? "degraded" : "up",
    reasons: degraded,
    notes,
    tokensPerSecond: speed,
    speedSource,
    errorRate,
  };
}
