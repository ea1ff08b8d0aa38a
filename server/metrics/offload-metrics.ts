// What Prometheus scrapes from GET /metrics (prom-client, one registry per process): gateway
// requests and their latency by lane and status; turns, tokens and cost (micro-dollars, with the
// Claude cost the turns would have had) by lane, model and agent, counted as turns are queued for
// the database, whatever recorded them (the gateway, the sidecar, agents' reports); escalations by
// a short reason; and, read at scrape time, the Ollama verdict, the write buffer, the spool and the
// dead letters. No prompt text, no key, no label that grows without bound (reasons are bucketed).
import "server-only";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TurnRecord } from "@/server/core/turn-record";
import { processSlot } from "@/server/process/process-registry";

export type MetricsState = {
  registry: Registry;
  requests: Counter<"endpoint" | "lane" | "status">;
  duration: Histogram<"endpoint" | "lane">;
  turns: Counter<"lane" | "model" | "agent" | "status" | "source">;
  tokens: Counter<"lane" | "model" | "agent" | "kind">;
  cost: Counter<"lane" | "model" | "agent">;
  counterfactual: Counter<"lane" | "model" | "agent">;
  escalations: Counter<"reason">;
  ollama: Gauge<"host" | "verdict">;
  hostFailures: Counter<"host" | "kind">;
  retiredTurns: Counter;
  /** Read at scrape time: the turn writer's depth (pending, spooled, dead-lettered). */
  writer: Gauge<"state">;
  readers: { writer?: () => { pending: number; spooled: number; deadLettered: number } };
  reasons: Set<string>;
};

const MAX_REASONS = 30;
const VERDICTS = ["up", "degraded", "down"] as const;

function createMetrics(): MetricsState {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "offload_" });
  const readers: MetricsState["readers"] = {};
  const state: MetricsState = {
    registry,
    readers,
    reasons: new Set(),
    requests: new Counter({
      name: "offload_requests_total",
      help: "Agent endpoint requests answered, by endpoint, lane (none: no lane served it) and HTTP status.",
      labelNames: ["endpoint", "lane", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "offload_request_duration_seconds",
      help: "Time to the answer's headers on the agent endpoints (a stream's first bytes), by endpoint and lane.",
      labelNames: ["endpoint", "lane"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    turns: new Counter({
      name: "offload_turns_total",
      help: "Turns recorded, by lane, served model, agent, status and source (gateway, reported, sidecar).",
      labelNames: ["lane", "model", "agent", "status", "source"],
      registers: [registry],
    }),
    tokens: new Counter({
      name: "offload_tokens_total",
      help: "Tokens of recorded turns, by lane, served model, agent and kind (input, output, cache_read, cache_write).",
      labelNames: ["lane", "model", "agent", "kind"],
      registers: [registry],
    }),
    cost: new Counter({
      name: "offload_cost_microusd_total",
      help: "What recorded turns cost, micro-dollars (Claude at its price, local turns their electricity).",
      labelNames: ["lane", "model", "agent"],
      registers: [registry],
    }),
    counterfactual: new Counter({
      name: "offload_counterfactual_microusd_total",
      help: "What the same turns would have cost on the agent's Claude model, micro-dollars (the savings are the difference).",
      labelNames: ["lane", "model", "agent"],
      registers: [registry],
    }),
    escalations: new Counter({
      name: "offload_escalations_total",
      help: "Local turns that went to Claude instead, by reason (bucketed; `other` past 30 distinct reasons).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    ollama: new Gauge({
      name: "offload_ollama_verdict",
      help: "The last health verdict of each Ollama host: 1 for its verdict (up, degraded, down), 0 for the others.",
      labelNames: ["host", "verdict"],
      registers: [registry],
    }),
    hostFailures: new Counter({
      name: "offload_ollama_host_failures_total",
      help: "Local requests that failed on an Ollama host (refused, reset, timeout, a server error), by host and kind; the turn then tried the next host of the pool, or Claude.",
      labelNames: ["host", "kind"],
      registers: [registry],
    }),
    retiredTurns: new Counter({
      name: "offload_turns_retired_total",
      help: "Raw turns this process deleted because they were older than the retention period (turnRetentionDays); their DailyUsage totals stay.",
      registers: [registry],
    }),
    writer: new Gauge({
      name: "offload_turn_writer",
      help: "Turns answered but not yet in the database (pending), in the local spool (spooled), and refused by it (dead_lettered).",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const status = readers.writer?.();
        if (!status) return;
        this.set({ state: "pending" }, status.pending);
        this.set({ state: "spooled" }, status.spooled);
        this.set({ state: "dead_lettered" }, status.deadLettered);
      },
    }),
  };
  return state;
}

function metrics(): MetricsState {
  return processSlot("metrics", createMetrics);
}

/** The turn writer's depth, read at each scrape (the writer registers itself, so that this module imports no gateway code). */
export function readWriterDepthWith(reader: () => { pending: number; spooled: number; deadLettered: number }): void {
  metrics().readers.writer = reader;
}

/** An escalation's reason as a bounded label: its first clause (with what follows a one-word
 *  "ollama:"), lower case, numbers and ids removed. */
export function escalationReason(text: string | null): string {
  const why = (text ?? "").split("escalated to claude:").pop() ?? "";
  const first = why.split(/[;(]/)[0]!;
  const head = first.split(":")[0]!;
  const clause = head.trim().split(/\s+/).length >= 2 ? head : first;
  return (
    clause
      .toLowerCase()
      .replace(/[0-9a-f]{8,}|\d+(\.\d+)?/g, "")
      .replace(/[^a-z ]+/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 60) || "unknown"
  );
}

export function countTurns(turns: readonly TurnRecord[]): void {
  const m = metrics();
  for (const t of turns) {
    const labels = { lane: t.lane, model: t.servedModel, agent: t.agentId };
    m.turns.inc({ ...labels, status: t.status, source: t.source });
    if (t.inputTokens) m.tokens.inc({ ...labels, kind: "input" }, t.inputTokens);
    if (t.outputTokens) m.tokens.inc({ ...labels, kind: "output" }, t.outputTokens);
    if (t.cacheReadTokens) m.tokens.inc({ ...labels, kind: "cache_read" }, t.cacheReadTokens);
    const written = t.cacheWrite5mTokens + t.cacheWrite1hTokens;
    if (written) m.tokens.inc({ ...labels, kind: "cache_write" }, written);
    if (t.costMicroUsd) m.cost.inc(labels, Number(t.costMicroUsd));
    if (t.counterfactualMicroUsd) m.counterfactual.inc(labels, Number(t.counterfactualMicroUsd));
    if (t.status === "escalated") {
      let reason = escalationReason(t.errorMessage ?? t.reason);
      if (!m.reasons.has(reason)) {
        if (m.reasons.size >= MAX_REASONS) reason = "other";
        else m.reasons.add(reason);
      }
      m.escalations.inc({ reason });
    }
  }
}

/** One answer of an agent endpoint: its lane (the x-offload-lane header), status and time to headers. */
export function countRequest(endpoint: string, lane: string, status: number, seconds: number): void {
  const m = metrics();
  m.requests.inc({ endpoint, lane, status: String(status) });
  m.duration.observe({ endpoint, lane }, seconds);
}

/** Turns the retention job deleted (server/turns/retire-turns.ts). */
export function countRetiredTurns(turns: number): void {
  metrics().retiredTurns.inc(turns);
}

/** The Ollama host's latest verdict (the health monitor's poll). */
export function setOllamaVerdict(host: string, verdict: (typeof VERDICTS)[number]): void {
  const m = metrics();
  for (const v of VERDICTS) m.ollama.set({ host, verdict: v }, v === verdict ? 1 : 0);
}

/** A local request failed on an Ollama host. */
export function countHostFailure(host: string, kind: string): void {
  metrics().hostFailures.inc({ host, kind });
}

/** The exposition: Prometheus's text format. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
