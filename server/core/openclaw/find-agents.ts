// The agents of an OpenClaw config in any of its roster shapes (the keyed `agents.entries.<id>`, the
// older `agents.list[]`, the single-agent top-level `agent`, or nothing but `agents.defaults`), each
// with its effective model and heartbeat: its own fields over `agents.defaults` (docs/gateway/
// config-agents/*.md, heartbeat.md). Also the readers of a model reference and of a heartbeat cadence.
import { isRecord, type JsonPath } from "./json-path";
import type { AgentModel, ModelRef, ModelRefKind, OpenClawAgent, RosterShape } from "./openclaw-types";

/** OpenClaw's implicit agent id when the file names none (config-agents.md). */
const IMPLICIT_AGENT_ID = "main";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SINGLE_DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const COMPOSITE_DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

function refKind(provider: string): ModelRefKind {
  const id = provider.toLowerCase();
  if (id === "ollama") return "local";
  if (id === "anthropic") return "claude";
  if (id.startsWith("offload-")) return "offload";
  return "external";
}

/** Reads `provider/model` (the model may itself hold slashes: `openrouter/qwen/qwen-2.5`); null when it is not one. */
export function parseModelRef(ref: string): ModelRef | null {
  const text = ref.trim();
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return null;
  const provider = text.slice(0, slash);
  return { ref: text, provider, model: text.slice(slash + 1), kind: refKind(provider) };
}

/**
 * Reads an agent's `model`: a string (strict primary) or `{primary, fallbacks?}`. A bare name is looked up
 * in `aliases` (alias to `provider/model`, from agents.defaults.models); null when there is no readable primary.
 */
export function readAgentModel(value: unknown, aliases: Readonly<Record<string, string>> = {}): AgentModel | null {
  const read = (ref: unknown) => (typeof ref === "string" ? parseModelRef(aliases[ref.trim()] ?? ref) : null);
  if (typeof value === "string") {
    const primary = read(value);
    return primary && { primary, fallbacks: undefined, form: "string" };
  }
  if (!isRecord(value)) return null;
  const primary = read(value.primary);
  if (!primary) return null;
  const fallbacks = Array.isArray(value.fallbacks)
    ? value.fallbacks.map(read).filter((ref): ref is ModelRef => ref !== null)
    : undefined;
  return { primary, fallbacks, form: "object" };
}

/**
 * A heartbeat cadence in minutes, rounded up, read as OpenClaw reads it (a number alone is minutes;
 * units ms, s, m, h, d; composites like `1h30m`); null when unreadable. `0m` is 0: no recurring heartbeat.
 */
export function parseEvery(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  const single = SINGLE_DURATION.exec(trimmed);
  let ms: number;
  if (single) {
    ms = Number(single[1]) * (UNIT_MS[single[2] ?? "m"] as number);
  } else if (COMPOSITE_DURATION.test(trimmed)) {
    ms = 0;
    for (const [, value, unit] of trimmed.matchAll(DURATION_PART))
      ms += Number(value) * (UNIT_MS[unit as string] as number);
  } else {
    return null;
  }
  return Number.isFinite(ms) ? Math.ceil(Math.round(ms) / 60_000) : null;
}

/** Minutes as an OpenClaw duration: 30 is `30m`, 90 is `1h30m`, 1440 is `1d`, 0 is `0m`. */
export function formatEvery(minutes: number): string {
  const total = Math.ceil(minutes);
  if (!(total > 0)) return "0m";
  const parts: [number, string][] = [
    [Math.floor(total / 1440), "d"],
    [Math.floor((total % 1440) / 60), "h"],
    [total % 60, "m"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join("");
}

/** OpenClaw's canonical form of an agent id (lowercase, runs of other characters as `-`), to compare ids as it does. */
function canonicalId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function readAliases(defaults: Record<string, unknown>): Record<string, string> {
  const aliases: Record<string, string> = {};
  if (!isRecord(defaults.models)) return aliases;
  for (const [ref, entry] of Object.entries(defaults.models)) {
    if (isRecord(entry) && typeof entry.alias === "string" && entry.alias.trim()) aliases[entry.alias.trim()] = ref;
  }
  return aliases;
}

type RosterEntry = { id: string; shape: RosterShape; path: JsonPath; own: Record<string, unknown> };

function readRoster(config: Record<string, unknown>, agents: Record<string, unknown>): RosterEntry[] {
  const roster: RosterEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: RosterEntry) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    roster.push(entry);
  };
  if (isRecord(agents.entries)) {
    for (const [id, own] of Object.entries(agents.entries)) {
      if (!id.startsWith("$") && isRecord(own)) add({ id, shape: "entries", path: ["agents", "entries", id], own });
    }
  }
  if (Array.isArray(agents.list)) {
    agents.list.forEach((own: unknown, index) => {
      if (isRecord(own) && typeof own.id === "string" && own.id.trim()) {
        add({ id: own.id, shape: "list", path: ["agents", "list", index], own });
      }
    });
  }
  if (roster.length > 0) return roster;
  if (isRecord(config.agent)) return [{ id: IMPLICIT_AGENT_ID, shape: "single", path: ["agent"], own: config.agent }];
  if (isRecord(agents.defaults) || config.defaultModel !== undefined) {
    const own = isRecord(agents.defaults) ? agents.defaults : {};
    return [{ id: IMPLICIT_AGENT_ID, shape: "defaults", path: ["agents", "defaults"], own }];
  }
  return [];
}

/** The canonical ids OpenClaw runs heartbeats for (its resolveHeartbeatAgentIds, as heartbeat.md describes it). */
function heartbeatAgentIds(roster: RosterEntry[], agents: Record<string, unknown>): Set<string> {
  const ids = roster.map((entry) => canonicalId(entry.id));
  const listed = roster.filter((entry) => entry.shape === "entries" || entry.shape === "list");
  const explicit = listed.filter((entry) => Boolean(entry.own.heartbeat));
  if (explicit.length > 0) return new Set(explicit.map((entry) => canonicalId(entry.id)));
  const defaults = isRecord(agents.defaults) ? agents.defaults : {};
  const heartbeat = defaults.heartbeat;
  if (isRecord(heartbeat) && typeof heartbeat.agentId === "string" && heartbeat.agentId.trim()) {
    return new Set([canonicalId(heartbeat.agentId)]);
  }
  if (heartbeat) return new Set(ids);
  const systemAgent = isRecord(defaults.systemAgent) ? defaults.systemAgent.agentId : undefined;
  if (typeof systemAgent === "string" && systemAgent.trim()) return new Set([canonicalId(systemAgent)]);
  const marked = listed.filter((entry) => entry.own.default === true);
  if (agents.ownership !== "explicit" && marked.length === 1)
    return new Set([canonicalId((marked[0] as RosterEntry).id)]);
  return new Set(ids.length === 1 ? ids : []);
}

function effectiveHeartbeat(
  defaults: Record<string, unknown>,
  own: Record<string, unknown>,
): OpenClawAgent["heartbeat"] {
  const merged = {
    ...(isRecord(defaults.heartbeat) ? defaults.heartbeat : {}),
    ...(isRecord(own.heartbeat) ? own.heartbeat : {}),
  };
  const heartbeat: OpenClawAgent["heartbeat"] = {};
  if (merged.every !== undefined && merged.every !== null) {
    heartbeat.every = typeof merged.every === "string" ? merged.every : JSON.stringify(merged.every);
    const minutes = typeof merged.every === "string" ? parseEvery(merged.every) : null;
    if (minutes !== null) heartbeat.everyMinutes = minutes;
  }
  if (typeof merged.model === "string") heartbeat.model = merged.model;
  if (typeof merged.lightContext === "boolean") heartbeat.lightContext = merged.lightContext;
  if (typeof merged.isolatedSession === "boolean") heartbeat.isolatedSession = merged.isolatedSession;
  return heartbeat;
}

/**
 * The agents of an OpenClaw config. `agents.entries` and `agents.list` are both read (entries first, an id
 * seen twice kept once); without either, the top-level `agent` or `agents.defaults` is one implicit agent,
 * `main`. Models and heartbeats inherit from `agents.defaults` (the legacy top-level `defaultModel` too).
 */
export function findOpenClawAgents(config: Record<string, unknown>): OpenClawAgent[] {
  const agents = isRecord(config.agents) ? config.agents : {};
  const defaults = isRecord(agents.defaults) ? agents.defaults : {};
  const aliases = readAliases(defaults);
  const defaultModel = defaults.model ?? config.defaultModel;
  const roster = readRoster(config, agents);
  const heartbeatIds = heartbeatAgentIds(roster, agents);
  return roster.map(({ id, shape, path, own }) => {
    const ownModel = own.model ?? undefined;
    const model = readAgentModel(ownModel ?? defaultModel, aliases);
    const agent: OpenClawAgent = {
      id,
      shape,
      path,
      model,
      modelInherited: ownModel === undefined && model !== null,
      heartbeat: effectiveHeartbeat(defaults, own),
      runsHeartbeat: heartbeatIds.has(canonicalId(id)),
    };
    if (typeof own.name === "string" && own.name.trim()) agent.name = own.name.trim();
    return agent;
  });
}
