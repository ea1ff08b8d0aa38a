// What `offload openclaw import` (and the Fleet page's upload) would create from an OpenClaw config:
// one Offload agent per OpenClaw agent, with its lane, models and heartbeat, and the Ollama host.
// No credential of the file (API keys, tokens, `env.vars`) ever reaches the plan: warnings name paths only.
import { findOpenClawAgents } from "./find-agents";
import { formatJsonPath, isRecord, readAtPath, type JsonPath } from "./json-path";
import { toOffloadAgentId } from "./openclaw-names";
import type { ImportedAgent, ImportPlan, OpenClawAgent, OpenClawConfigFile } from "./openclaw-types";

/** OpenClaw's heartbeat cadence when none is set (heartbeat.md "Defaults"). */
const DEFAULT_EVERY_MINUTES = 30;
/** Offload's longest heartbeat (heartbeatMinutes in server/agents/manage-agents.ts). */
const MAX_HEARTBEAT_MINUTES = 1440;
/** Keys whose values are credentials, wherever they sit. */
const SECRET_KEY =
  /^(api[_-]?key|token|bot[_-]?token|app[_-]?token|access[_-]?token|password|secret|client[_-]?secret|private[_-]?key)$/i;
const LISTED_SECRETS = 5;

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base.slice(0, 63 - String(n).length - 1)}-${n}`;
  used.add(id);
  return id;
}

function modelFields(
  agent: OpenClawAgent,
): Pick<ImportedAgent, "pin" | "localModel" | "claudeModel" | "externalModel"> {
  const primary = agent.model?.primary;
  return {
    pin: primary?.kind === "local" ? "local" : "none",
    localModel: primary?.kind === "local" ? primary.model : null,
    claudeModel: primary?.kind === "claude" || primary?.kind === "offload" ? primary.model : null,
    externalModel: primary?.kind === "external" ? primary.ref : null,
  };
}

/** Minutes between heartbeats: null when OpenClaw runs none for the agent or the cadence is unreadable. */
function heartbeatMinutes(agent: OpenClawAgent, warnings: string[]): number | null {
  if (agent.runsHeartbeat === false) return null;
  const { every, everyMinutes } = agent.heartbeat;
  if (every === undefined) return DEFAULT_EVERY_MINUTES;
  if (everyMinutes === undefined) {
    warnings.push(
      `${agent.id}: heartbeat every ${JSON.stringify(every)} is not a duration (30m, 1h, 1h30m): no heartbeat imported`,
    );
    return null;
  }
  if (everyMinutes > MAX_HEARTBEAT_MINUTES) {
    warnings.push(
      `${agent.id}: heartbeat every ${every} is longer than Offload's longest (1d): imported as 1440 minutes`,
    );
    return MAX_HEARTBEAT_MINUTES;
  }
  return everyMinutes;
}

/** The path of the model value an agent without a readable model was given, if it was given one. */
function unreadableModelPath(config: Record<string, unknown>, agent: OpenClawAgent): JsonPath | null {
  if (agent.model) return null;
  const candidates: JsonPath[] = [[...agent.path, "model"], ["agents", "defaults", "model"], ["defaultModel"]];
  return candidates.find((path) => (readAtPath(config, path) ?? null) !== null) ?? null;
}

function rosterWarnings(config: Record<string, unknown>, agents: OpenClawAgent[]): string[] {
  const warnings: string[] = [];
  const section = isRecord(config.agents) ? config.agents : {};
  const fromEntries = new Set(agents.filter((a) => a.shape === "entries").map((a) => a.id));
  if (isRecord(section.entries) && Array.isArray(section.list)) {
    warnings.push(
      "agents.entries and agents.list both exist: both were read, entries first (OpenClaw reads agents.entries; `openclaw doctor --fix` migrates agents.list into it)",
    );
  }
  if (Array.isArray(section.list)) {
    section.list.forEach((item: unknown, index) => {
      const path = formatJsonPath(["agents", "list", index]);
      if (!isRecord(item) || typeof item.id !== "string" || !item.id.trim()) {
        warnings.push(`${path} has no id: skipped`);
      } else if (fromEntries.has(item.id)) {
        warnings.push(`${path} repeats agents.entries.${item.id}: read once, from agents.entries`);
      }
    });
  }
  const idle = agents.filter((a) => a.runsHeartbeat === false).map((a) => a.id);
  if (idle.length > 0) {
    warnings.push(
      `no heartbeat for ${idle.join(", ")}: OpenClaw does not run theirs (heartbeat.md "Scope and precedence": once any agent has its own heartbeat block only those do, else agents.defaults.heartbeat decides, else the one owner agent)`,
    );
  }
  return warnings;
}

/** models.providers.ollama.baseUrl (or `baseURL`), without credentials; null when unset or unusable. */
function readOllamaBaseUrl(config: Record<string, unknown>, warnings: string[]): string | null {
  const provider = readAtPath(config, ["models", "providers", "ollama"]);
  if (!isRecord(provider)) return null;
  const value = provider.baseUrl ?? provider.baseURL;
  if (typeof value !== "string" || !value.trim()) return null;
  const text = value.trim();
  if (text.includes("${")) {
    warnings.push("models.providers.ollama.baseUrl uses an environment variable: set Offload's Ollama host yourself");
    return null;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    warnings.push("models.providers.ollama.baseUrl is not a URL: not imported");
    return null;
  }
  if (!url.username && !url.password) return text;
  warnings.push("models.providers.ollama.baseUrl holds credentials: imported without them");
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

function collectSecretPaths(value: unknown, path: JsonPath, found: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => collectSecretPaths(item, [...path, index], found));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, key];
    const isEnvVars = path.length === 1 && path[0] === "env" && key === "vars";
    if (isEnvVars || (SECRET_KEY.test(key) && child !== null && child !== "")) found.push(formatJsonPath(at));
    else collectSecretPaths(child, at, found);
  }
}

function secretsWarning(config: Record<string, unknown>): string[] {
  const paths: string[] = [];
  collectSecretPaths(config, [], paths);
  if (paths.length === 0) return [];
  const more = paths.length > LISTED_SECRETS ? ` and ${paths.length - LISTED_SECRETS} more` : "";
  return [`credentials stay in OpenClaw, none is imported: ${paths.slice(0, LISTED_SECRETS).join(", ")}${more}`];
}

/** The Offload agents an OpenClaw config describes, the Ollama host it names, and what the operator should know. */
export function planImport(file: OpenClawConfigFile): ImportPlan {
  const { config } = file;
  const agents = findOpenClawAgents(config);
  const warnings = file.includes.map(
    (include) => `${include.path} includes ${include.target}: not followed, so what it defines is not imported`,
  );
  warnings.push(...rosterWarnings(config, agents));
  if (agents.length === 0) warnings.push("no agents found (agents.entries, agents.list, agent or agents.defaults)");
  const used = new Set<string>();
  const unreadable = new Set<string>();
  const imported = agents.map((agent): ImportedAgent => {
    const base = toOffloadAgentId(agent.id);
    const id = uniqueId(base, used);
    if (id !== base) warnings.push(`${agent.id}: Offload id ${base} is taken, imported as ${id}`);
    const badModel = unreadableModelPath(config, agent);
    if (badModel) unreadable.add(formatJsonPath(badModel));
    return {
      id,
      openclawId: agent.id,
      name: agent.name ?? agent.id,
      ...modelFields(agent),
      heartbeatMinutes: heartbeatMinutes(agent, warnings),
      shape: agent.shape,
    };
  });
  for (const path of unreadable) warnings.push(`${path} is not a provider/model reference: no model imported`);
  const ollamaBaseUrl = readOllamaBaseUrl(config, warnings);
  warnings.push(...secretsWarning(config));
  return { agents: imported, ollamaBaseUrl, warnings };
}
