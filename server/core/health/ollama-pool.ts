// A pool of Ollama hosts, pure: each host judged on its own poll and its own recent turns, the
// fleet's verdict over them, and the order in which a local turn tries them (a healthy host with
// the model loaded and the fewest requests in flight first, then one with it installed).
import {
  judgeHealth,
  type HealthThresholds,
  type HealthVerdict,
  type InstalledModel,
  type LoadedModel,
  type LocalTurnStats,
  type Probe,
} from "./judge-health";

export type HostStatus = "up" | "degraded" | "down";

/** What one poll saw of one host, and its verdict: stored in HealthSample.hosts, shown on the Health page. */
export type PoolHostView = {
  host: string;
  status: HostStatus;
  reasons: string[];
  notes: string[];
  version: string | null;
  responseMs: number | null;
  loaded: LoadedModel[];
  installed: InstalledModel[];
  /** GPU memory the loaded models take on this host, bytes (Ollama's size_vram). */
  vramUsedBytes: number;
  tokensPerSecond: number | null;
  speedSource: "turns" | "probe" | null;
  /** This host's local turns over the last 15 minutes, their error rate and p95 latency. */
  localTurns: number;
  errorRate: number | null;
  p95Ms: number | null;
  /** Local requests this instance had in flight to the host when it polled. */
  inFlight: number;
};

export type HostPoll = {
  host: string;
  probe: Probe;
  /** The host's own recent local turns (Turn.localHost). */
  stats: LocalTurnStats;
  probeTokensPerSecond: number | null;
  inFlight: number;
};

export type PoolVerdict = HealthVerdict & { hosts: PoolHostView[] };

const matches = (name: string, wanted: string) =>
  name === wanted || name === `${wanted}:latest` || `${name}:latest` === wanted;

/** Whether a model list (Ollama's names) holds `model`, with or without its `:latest` tag. */
export function hasModel(names: readonly string[], model: string): boolean {
  return names.some((n) => matches(n, model));
}

function viewOf(poll: HostPoll, verdict: HealthVerdict, notes: string[]): PoolHostView {
  const p = poll.probe;
  return {
    host: poll.host,
    status: verdict.status,
    reasons: verdict.reasons,
    notes,
    version: p.ok ? p.version : null,
    responseMs: p.responseMs,
    loaded: p.ok ? p.loaded : [],
    installed: p.ok ? p.installed : [],
    vramUsedBytes: p.ok ? p.loaded.reduce((n, m) => n + m.sizeVram, 0) : 0,
    tokensPerSecond: verdict.tokensPerSecond,
    speedSource: verdict.speedSource,
    localTurns: poll.stats.turns,
    errorRate: verdict.errorRate,
    p95Ms: poll.stats.p95LatencyMs,
    inFlight: poll.inFlight,
  };
}

/**
 * The verdict on the pool. One host: exactly the single server's verdict (judgeHealth over the
 * fleet's local turns). Several: each host is judged on its own poll and turns, without the
 * model check; a model the fleet uses that no answering host has installed makes the pool down;
 * otherwise the pool is up when one host is up (the others' troubles are notes), degraded when
 * every answering host is, and down when none answers.
 */
export function judgePool(polls: HostPoll[], fleetStats: LocalTurnStats, t: HealthThresholds): PoolVerdict {
  if (polls.length === 1) {
    const only = polls[0]!;
    const verdict = judgeHealth(only.probe, fleetStats, t, only.host, only.probeTokensPerSecond);
    return { ...verdict, hosts: [viewOf({ ...only, stats: fleetStats }, verdict, verdict.notes)] };
  }
  const hosts = polls.map((poll) => {
    const verdict = judgeHealth(
      poll.probe,
      poll.stats,
      { ...t, localModels: [] },
      poll.host,
      poll.probeTokensPerSecond,
    );
    const installed = poll.probe.ok ? poll.probe.installed.map((m) => m.name) : [];
    const missing = poll.probe.ok ? t.localModels.filter((m) => !hasModel(installed, m)) : [];
    const notes = [...verdict.notes, ...missing.map((m) => `${m} is not installed here`)];
    return viewOf(poll, verdict, notes);
  });
  const answering = hosts.filter((h) => h.status !== "down");
  const label = (h: PoolHostView, text: string) => `${h.host}: ${text}`;
  const troubles = (list: PoolHostView[]) => list.flatMap((h) => h.reasons.map((r) => label(h, r)));
  const speeds = answering.map((h) => h.tokensPerSecond).filter((s): s is number => s !== null);
  const fleetErrorRate = fleetStats.turns >= 5 ? fleetStats.failed / fleetStats.turns : null;
  const base = {
    tokensPerSecond: fleetStats.tokensPerSecondP50 ?? (speeds.length ? Math.max(...speeds) : null),
    speedSource: (fleetStats.tokensPerSecondP50 !== null ? "turns" : speeds.length ? "probe" : null) as
      "turns" | "probe" | null,
    errorRate: fleetErrorRate,
    hosts,
  };
  const notes = hosts.flatMap((h) => h.notes.map((n) => label(h, n)));
  if (!answering.length) return { ...base, status: "down", reasons: troubles(hosts), notes };

  // A model no answering host has is that model's trouble, not the pool's: its turns go to Claude
  // with the reason (rankHosts), the other models' turns keep their hosts.
  const installedAnywhere = answering.flatMap((h) => h.installed.map((i) => i.name));
  const missing = t.localModels
    .filter((m) => !hasModel(installedAnywhere, m))
    .map(
      (m) =>
        `the local model ${m} is not installed on any Ollama host that answers (its turns go to Claude): run \`ollama pull ${m}\` on one`,
    );

  const upCount = answering.filter((h) => h.status === "up").length;
  const summary = `${answering.length} of ${hosts.length} Ollama hosts answer${upCount < answering.length ? `, ${upCount} of them up` : ""}`;
  if (upCount === 0)
    return {
      ...base,
      status: "degraded",
      reasons: troubles(answering),
      notes: [summary, ...missing, ...troubles(hosts.filter((h) => h.status === "down")), ...notes],
    };
  const others = hosts.filter((h) => h.status !== "up");
  return {
    ...base,
    status: "up",
    reasons: [],
    notes: [...(others.length ? [summary] : []), ...missing, ...troubles(others), ...notes],
  };
}

/** What the router keeps of a host from the last poll. */
export type PolledHost = { host: string; status: HostStatus; loaded: string[]; installed: string[] };

/** A host as the gateway sees it when it picks one for a turn. */
export type HostCandidate = {
  host: string;
  /** The last poll's verdict; "unknown" when no fresh poll saw this host. */
  status: HostStatus | "unknown";
  /** Model names from the last poll; null when unknown. */
  loaded: string[] | null;
  installed: string[] | null;
  /** Requests this instance has in flight to the host now. */
  inFlight: number;
  /** A request to it failed moments ago (refused, reset, a server error): tried only after the others. */
  failedRecently: boolean;
};

export type HostRanking = {
  /** Hosts to try, in order. */
  order: string[];
  /** Hosts left out and why (for the reason when none is left). */
  skipped: { host: string; why: string }[];
};

/**
 * The order in which a local turn for `model` tries the pool: hosts with the model loaded, then
 * with it installed, then hosts not polled yet; up before degraded, fewer requests in flight
 * first, then the configured order. Hosts that failed a request moments ago come last. Down
 * hosts and hosts without the model are left out.
 */
export function rankHosts(hosts: HostCandidate[], model: string): HostRanking {
  const skipped: HostRanking["skipped"] = [];
  const ranked: { host: string; key: number[] }[] = [];
  hosts.forEach((h, index) => {
    if (h.status === "down") return void skipped.push({ host: h.host, why: "down" });
    let tier: number;
    if (h.status === "unknown" || h.installed === null) tier = 2;
    else if (h.loaded && hasModel(h.loaded, model)) tier = 0;
    else if (hasModel(h.installed, model)) tier = 1;
    else return void skipped.push({ host: h.host, why: `${model} is not installed` });
    ranked.push({
      host: h.host,
      key: [h.failedRecently ? 1 : 0, tier, h.status === "degraded" ? 1 : 0, h.inFlight, index],
    });
  });
  ranked.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    return 0;
  });
  return { order: ranked.map((r) => r.host), skipped };
}

/** Why no host could take the turn, for the escalation's reason. */
export function describeNoHost(ranking: HostRanking, model: string): string {
  if (!ranking.skipped.length) return "no Ollama host is configured";
  if (ranking.skipped.every((s) => s.why === "down")) return "every Ollama host is down";
  if (ranking.skipped.every((s) => s.why !== "down")) return `no Ollama host has ${model} installed`;
  return `no Ollama host can serve ${model} (${ranking.skipped.map((s) => `${s.host}: ${s.why}`).join("; ")})`;
}
