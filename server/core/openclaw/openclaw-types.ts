// The shapes Offload reads from and writes into an OpenClaw config (openclaw.json, JSON5), as the
// installed package's docs describe them (docs/gateway/config-agents*.md, heartbeat.md,
// config-tools/custom-providers.md, configuration/environment-variables.md). Pure types: the
// functions live beside them in server/core/openclaw/.

/** Where an agent sits in the file: the newer keyed `agents.entries.<id>`, the older `agents.list[]`,
 * the single-agent top-level `agent` form, or nothing but `agents.defaults` (one implicit agent, `main`). */
export type RosterShape = "entries" | "list" | "single" | "defaults";

/** A `provider/model` reference, read. `offload` is one of Offload's own providers (`offload-<agent>`). */
export type ModelRefKind = "local" | "claude" | "offload" | "external";
export type ModelRef = { ref: string; provider: string; model: string; kind: ModelRefKind };

/** An agent's `model`: a string (strict primary) or `{primary, fallbacks?}`; `form` keeps which, to write it back alike. */
export type AgentModel = { primary: ModelRef; fallbacks: ModelRef[] | undefined; form: "string" | "object" };

export type OpenClawAgent = {
  /** The OpenClaw agent id (the `entries` key, the list item's `id`, `main` for the single and defaults forms). */
  id: string;
  name?: string;
  shape: RosterShape;
  /** JSON path of the agent's own object in the file (["agents","entries","ops"], ["agents","list",2], ["agent"], ["agents","defaults"]). */
  path: (string | number)[];
  /** The effective model: the agent's own, else agents.defaults.model; null when neither is set. */
  model: AgentModel | null;
  /** True when the model came from agents.defaults (the agent sets none itself). */
  modelInherited: boolean;
  /** The effective heartbeat (the agent's own fields over agents.defaults.heartbeat). */
  heartbeat: {
    every?: string;
    everyMinutes?: number;
    model?: string;
    lightContext?: boolean;
    isolatedSession?: boolean;
  };
  /** Whether OpenClaw enrolls the agent in heartbeats at all (heartbeat.md "Scope and precedence"): once
   * any roster agent has its own `heartbeat` block only those do; else `agents.defaults.heartbeat.agentId`;
   * else every agent when `agents.defaults.heartbeat` is set; else the ambient owner (systemAgent.agentId,
   * a legacy `default: true`, the sole agent). `every: "0m"` is separate: enrolled, no cadence. */
  runsHeartbeat?: boolean;
};

export type OpenClawConfigFile = {
  /** The parsed document. */
  config: Record<string, unknown>;
  /** The text as read (kept to edit it in place, comments and all). */
  text: string;
  /** `$include` directives found (their JSON paths and targets): reported, never followed. */
  includes: { path: string; target: string }[];
};

/** A config file that does not parse: the parser's message with its line and column (1-based). */
export type OpenClawParseErrorInfo = { message: string; line: number; column: number };

/** What `offload openclaw import` (and the Fleet page's upload) would do, before doing it. */
export type ImportPlan = {
  agents: ImportedAgent[];
  /** models.providers.ollama.baseUrl, offered as Offload's Ollama host when none is set. */
  ollamaBaseUrl: string | null;
  /** Things the operator should know: unresolved includes, unreadable durations, secrets skipped. */
  warnings: string[];
};

export type ImportedAgent = {
  /** Offload agent id (the OpenClaw id, made a valid Offload slug). */
  id: string;
  openclawId: string;
  name: string;
  /** `local` when the primary model is `ollama/...`; else none. */
  pin: "none" | "local";
  localModel: string | null;
  claudeModel: string | null;
  /** The primary's `provider/model` when it is neither local nor Claude. */
  externalModel: string | null;
  /** Minutes between heartbeats, capped at 1440: 0 for `every: "0m"` (no recurring heartbeat); null when
   * OpenClaw runs none for the agent (see OpenClawAgent.runsHeartbeat) or its `every` is unreadable. */
  heartbeatMinutes: number | null;
  shape: RosterShape;
};

/** One Claude model of Offload's provider entry, with OpenClaw's cost fields (USD per million tokens). */
export type OffloadProviderModel = {
  id: string;
  name: string;
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number };
  contextWindow: number;
  maxTokens: number;
};

export type ConnectOptions = {
  /** Offload's base URL as the agents reach it (http://127.0.0.1:3000). */
  baseUrl: string;
  /** OpenClaw agent ids to connect; all agents when absent. */
  agentIds?: string[];
  /** Offload agent id of each OpenClaw agent id (import's slugging). */
  offloadIds: Record<string, string>;
  /** The environment variable holding each connected OpenClaw agent's Offload key (OFFLOAD_KEY_<AGENT>). */
  keyEnvNames: Record<string, string>;
  /** Price rows for the Claude models the connected agents use. */
  models: OffloadProviderModel[];
  /** Set heartbeat.model to `ollama/<model>` (served by Ollama directly, not through Offload). */
  heartbeatDirect?: { model: string; ollamaBaseUrl: string };
};

/** The edits connect makes, as JSON paths and values (undefined: remove), with what they replace. */
export type ConfigEdit = { path: (string | number)[]; value: unknown; previous: unknown };

export type ConnectPlan = {
  edits: ConfigEdit[];
  /** The agents connected, and the ones left out with the reason (a local or external primary, no model). */
  connected: { openclawId: string; offloadId: string; provider: string; model: string }[];
  skipped: { openclawId: string; reason: string }[];
  warnings: string[];
};

/** One Offload agent as `exportRouting` writes it into an OpenClaw config (the fields import reads back). */
export type ExportedAgent = {
  /** Offload agent id, used as the OpenClaw agent id (a slug is a valid OpenClaw id). */
  id: string;
  name: string;
  pin: "none" | "local" | "claude";
  localModel: string | null;
  claudeModel: string | null;
  externalModel: string | null;
  heartbeatMinutes: number | null;
};

export type ExportOptions = {
  /** Which roster form to write: the keyed `agents.entries` or the older `agents.list`. */
  shape: "entries" | "list";
  /** Offload's base URL as the agents reach it. */
  baseUrl: string;
  /** Price rows of the Claude models the agents use (by id). */
  models: OffloadProviderModel[];
  /** The Ollama host for pinned-local agents' `ollama` provider. */
  ollamaBaseUrl: string;
};
