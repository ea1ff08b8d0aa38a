// Operator settings and their defaults. Stored one key per row in Setting; validated in server/db/settings.ts.
import type { ModelMapping } from "./routing/map-model";

export const KV_CACHE_TYPES = ["f16", "q8_0", "q4_0"] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];

export type Settings = {
  /** Electricity price, USD per kWh, for the cost of local turns. */
  electricityUsdPerKwh: number;
  /** Power the GPU draws while generating, watts. */
  gpuWatts: number;
  /** GPU memory of the local model host, GB (default: a 12 GB RTX 3080 Ti). */
  gpuVramGb: number;
  defaultLocalModel: string;
  defaultClaudeModel: string;
  /** Context length set on local requests (Ollama's own default of 4,096 truncates agent prompts). */
  localContextTokens: number;
  /** Room kept for the answer inside the local context, tokens (a request's max_tokens when smaller). */
  localAnswerReserveTokens: number;
  /** The KV cache type the Ollama server runs with (OLLAMA_KV_CACHE_TYPE): what the local context costs in VRAM. */
  kvCacheType: KvCacheType;
  /** Keep-alive set on local requests, minutes (Ollama's default of 5 reloads the model every heartbeat). */
  localKeepAliveMinutes: number;
  /** A local answer that takes longer than this is given up on (and escalated when allowed), seconds. */
  localTimeoutSeconds: number;
  /** When Ollama is down, send local work to Claude (true) or fail fast (false). */
  escalateWhenLocalDown: boolean;
  /** When Ollama is degraded, move Local-with-care work to Claude. */
  carefulToClaudeWhenDegraded: boolean;
  /** Health: recent local generation below this speed makes Ollama degraded, tokens/s. */
  healthMinTokensPerSecond: number;
  /** Health: a share of failed local turns (last 15 minutes) above this makes Ollama degraded. */
  healthMaxErrorRate: number;
  /** Health: local p95 latency (last 15 minutes) above this makes Ollama degraded, seconds. */
  healthMaxP95Seconds: number;
  /** Health: send a tiny chat to the local model every poll to measure its speed (off: it costs GPU time). */
  healthProbeChat: boolean;
  /** Share of a local turn's prompt that Claude would have read from its prompt cache, for the
   *  all-Claude counterfactual (agents resend the same workspace context every turn). */
  counterfactualCachedShare: number;
  /** Below this confidence the classifier's verdict is not acted on: the task goes to Claude. */
  classifierMinConfidence: number;
  /** Assumptions of the cost projection. */
  projectionAgents: number;
  projectionHeartbeatMinutes: number;
  projectionActiveHours: number;
  projectionTurnCostLowUsd: number;
  projectionTurnCostHighUsd: number;
  /** Operator model mappings on the Claude lane (see routing/map-model.ts); empty: every turn gets the model it asked for. */
  modelMappings: ModelMapping[];
  /** The operator's own heartbeat prompts, regex sources matched case-insensitively on a turn's instruction
   *  (besides the known ones of core/turns/recognise-heartbeat.ts); a match routes as task type heartbeat. */
  heartbeatPatterns: string[];
  /** The fleet's daily Claude budget, USD (the UTC day; gateway-metered Claude cost): the dashboard warns at
   *  80% and 100%. 0: no fleet budget. Agents' own budgets (Agent.dailyBudgetMicroUsd) are what refuse turns. */
  fleetDailyBudgetUsd: number;
  /** The pool of Ollama servers local turns go to (URLs); empty: OLLAMA_HOSTS, else OLLAMA_HOST, from the environment. */
  ollamaHosts: string[];
  /** How long raw turns are kept, days: turns older than that (whole UTC days) are deleted by the
   *  retention job, DailyUsage is kept forever. 0: keep every turn. Otherwise 31 to 3,650 (core/turn-retention.ts). */
  turnRetentionDays: number;
};

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  electricityUsdPerKwh: 0.15,
  gpuWatts: 350,
  gpuVramGb: 12,
  defaultLocalModel: "qwen3:8b",
  defaultClaudeModel: "claude-opus-4-6",
  localContextTokens: 32_768,
  localAnswerReserveTokens: 2_048,
  kvCacheType: "f16",
  localKeepAliveMinutes: 30,
  localTimeoutSeconds: 120,
  escalateWhenLocalDown: true,
  carefulToClaudeWhenDegraded: true,
  healthMinTokensPerSecond: 20,
  healthMaxErrorRate: 0.05,
  healthMaxP95Seconds: 60,
  healthProbeChat: false,
  counterfactualCachedShare: 0.8,
  classifierMinConfidence: 0.5,
  projectionAgents: 5,
  projectionHeartbeatMinutes: 5,
  projectionActiveHours: 16,
  projectionTurnCostLowUsd: 0.02,
  projectionTurnCostHighUsd: 0.05,
  modelMappings: [],
  heartbeatPatterns: [],
  fleetDailyBudgetUsd: 0,
  ollamaHosts: [],
  turnRetentionDays: 0,
};

/** USD per kWh as integer micro-dollars per kWh. */
export function electricityMicroUsdPerKwh(settings: Pick<Settings, "electricityUsdPerKwh">): number {
  return Math.round(settings.electricityUsdPerKwh * 1_000_000);
}
