// Connecting OpenClaw agents to Offload, as edits of their config: one provider per connected agent
// (`models.providers["offload-<id>"]`, Anthropic Messages with the agent's key from `${OFFLOAD_KEY_<ID>}`)
// and the agent's Claude primary moved onto it; optionally heartbeats served by Ollama directly.
// Disconnecting reverts those edits where nobody has changed them since.
import { findOpenClawAgents } from "./find-agents";
import { formatJsonPath, isRecord, readAtPath, sameJson, writeAtPath, type JsonPath } from "./json-path";
import { buildOffloadProvider } from "./offload-provider";
import { keyEnvName, offloadProviderId } from "./openclaw-names";
import type { ConfigEdit, ConnectOptions, ConnectPlan, OpenClawAgent, OpenClawConfigFile } from "./openclaw-types";

/** The variable names OpenClaw substitutes in `${...}` (configuration/environment-variables.md). */
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Edits against a working copy of the config. An edit that changes nothing is not made; one under a
 * missing object is made where the missing part starts (`models` itself when the file has none), so
 * that reverting it leaves no empty object behind.
 */
class EditList {
  readonly edits: ConfigEdit[] = [];
  constructor(readonly work: Record<string, unknown>) {}

  read(path: JsonPath): unknown {
    return readAtPath(this.work, path);
  }

  set(path: JsonPath, value: unknown): void {
    const missing = path.findIndex((_, i) => i < path.length - 1 && !isContainer(this.read(path.slice(0, i + 1))));
    if (missing !== -1) {
      if (value === undefined) return;
      const holder: Record<string, unknown> = {};
      writeAtPath(holder, ["value", ...path.slice(missing + 1)], value);
      this.set(path.slice(0, missing + 1), holder.value);
      return;
    }
    const current = this.read(path);
    if (sameJson(current, value)) return;
    this.edits.push({ path, value, previous: structuredClone(current) });
    writeAtPath(this.work, path, structuredClone(value));
  }
}

function isContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

type Target = { offloadId: string; envName: string; model: string; onOwnProvider: boolean };

/** Where an agent connects to (a Claude primary, or already on its own provider), or why it cannot. */
function connectTarget(agent: OpenClawAgent, options: ConnectOptions): Target | string {
  const offloadId = options.offloadIds[agent.id];
  if (!offloadId) return "no Offload agent for it: import it first";
  const envName = options.keyEnvNames[agent.id] ?? keyEnvName(offloadId);
  if (!ENV_NAME.test(envName)) return `key variable ${envName} is not a name OpenClaw substitutes`;
  const primary = agent.model?.primary;
  if (!primary) return "no model: neither its own nor agents.defaults.model";
  if (primary.kind === "local") return `its primary ${primary.ref} is local (Ollama): nothing for Offload to route`;
  if (primary.kind === "external") return `its primary ${primary.ref} is not a Claude model`;
  const onOwnProvider = primary.kind === "offload";
  if (onOwnProvider && primary.provider !== offloadProviderId(offloadId)) {
    return `already on ${primary.provider}, another Offload agent's provider`;
  }
  return { offloadId, envName, model: primary.model, onOwnProvider };
}

/** Moves the agent's primary onto its provider, in the form it had; an inherited model is written on the agent's own object. */
function moveModel(list: EditList, config: Record<string, unknown>, agent: OpenClawAgent, ref: string): void {
  const path = [...agent.path, "model"];
  if (agent.modelInherited) {
    const inherited = readAtPath(config, ["agents", "defaults", "model"]) ?? config.defaultModel;
    list.set(path, isRecord(inherited) ? { ...inherited, primary: ref } : ref);
  } else if (isRecord(list.read(path))) {
    list.set([...path, "primary"], ref);
  } else {
    list.set(path, ref);
  }
}

/** A warning when per-model settings (params, agentRuntime) keyed by the old reference will not follow the model. */
function modelSettingsWarning(config: Record<string, unknown>, agent: OpenClawAgent, ref: string): string | null {
  const old = agent.model?.primary.ref as string;
  const places: JsonPath[] = [
    ["agents", "defaults", "models", old],
    [...agent.path, "models", old],
  ];
  const found = places.filter((path) => {
    const entry = readAtPath(config, path);
    return isRecord(entry) && Object.keys(entry).some((key) => key !== "alias");
  });
  if (found.length === 0) return null;
  return `${agent.id}: settings under ${found.map(formatJsonPath).join(" and ")} (params, agentRuntime) do not apply to ${ref}`;
}

function planHeartbeats(
  list: EditList,
  config: Record<string, unknown>,
  agents: OpenClawAgent[],
  connected: OpenClawAgent[],
  direct: NonNullable<ConnectOptions["heartbeatDirect"]>,
  warnings: string[],
): void {
  const roster = agents.filter((a) => a.shape === "entries" || a.shape === "list");
  const hadOwnBlocks = roster.some((a) => Boolean(readAtPath(config, [...a.path, "heartbeat"])));
  const ref = `ollama/${direct.model}`;
  let wrote = false;
  for (const agent of connected) {
    if (agent.runsHeartbeat === false) {
      warnings.push(`${agent.id}: OpenClaw runs no heartbeat for it, heartbeat.model left as it is`);
      continue;
    }
    list.set([...agent.path, "heartbeat", "model"], ref);
    wrote = true;
  }
  if (!wrote) return;
  const ollama = list.read(["models", "providers", "ollama"]);
  if (ollama === undefined) {
    list.set(["models", "providers", "ollama"], { baseUrl: direct.ollamaBaseUrl, api: "ollama" });
  } else if (isRecord(ollama) && ollama.baseUrl !== direct.ollamaBaseUrl) {
    warnings.push(`models.providers.ollama is kept as it is (baseUrl ${String(ollama.baseUrl ?? "unset")})`);
  }
  if (hadOwnBlocks) return;
  // The first own heartbeat block makes OpenClaw run heartbeats only for agents that have one.
  for (const agent of roster) {
    if (agent.runsHeartbeat === false || list.read([...agent.path, "heartbeat"]) !== undefined) continue;
    list.set([...agent.path, "heartbeat"], {});
    warnings.push(`${agent.id}: given an empty heartbeat block so that OpenClaw keeps running its heartbeat`);
  }
}

/** The edits that connect the chosen OpenClaw agents (all by default) to Offload, and who was left out and why. */
export function planConnect(file: OpenClawConfigFile, options: ConnectOptions): ConnectPlan {
  const list = new EditList(structuredClone(file.config));
  const agents = findOpenClawAgents(file.config);
  const plan: ConnectPlan = { edits: list.edits, connected: [], skipped: [], warnings: [] };
  const chosen = options.agentIds ? new Set(options.agentIds) : null;
  for (const id of options.agentIds ?? []) {
    if (!agents.some((a) => a.id === id)) plan.warnings.push(`${id}: no such agent in the config`);
  }
  const providers = new Map<string, { envName: string; models: string[] }>();
  const connectedAgents: OpenClawAgent[] = [];
  for (const agent of agents) {
    if (chosen && !chosen.has(agent.id)) {
      plan.skipped.push({ openclawId: agent.id, reason: "not selected" });
      continue;
    }
    const target = connectTarget(agent, options);
    if (typeof target === "string") {
      plan.skipped.push({ openclawId: agent.id, reason: target });
      continue;
    }
    const { offloadId, envName, model, onOwnProvider } = target;
    const provider = offloadProviderId(offloadId);
    const ref = `${provider}/${model}`;
    const entry = providers.get(provider) ?? { envName, models: [] };
    if (!entry.models.includes(model)) entry.models.push(model);
    providers.set(provider, entry);
    if (!onOwnProvider) {
      moveModel(list, file.config, agent, ref);
      const warning = modelSettingsWarning(file.config, agent, ref);
      if (warning) plan.warnings.push(warning);
    }
    plan.connected.push({ openclawId: agent.id, offloadId, provider, model });
    connectedAgents.push(agent);
  }
  for (const [provider, { envName, models }] of providers) {
    list.set(["models", "providers", provider], buildOffloadProvider(options.baseUrl, envName, models, options.models));
    for (const model of models) {
      const warning = `${model}: no price row, written without cost and limits`;
      if (!options.models.some((m) => m.id === model) && !plan.warnings.includes(warning)) plan.warnings.push(warning);
    }
  }
  if (options.heartbeatDirect) {
    planHeartbeats(list, file.config, agents, connectedAgents, options.heartbeatDirect, plan.warnings);
  }
  return plan;
}

/**
 * The edits that undo a connect: each saved edit, newest first, goes back to what it replaced (undefined:
 * the key is removed), but only where the file still holds what connect wrote; elsewhere a conflict.
 */
export function planDisconnect(
  file: OpenClawConfigFile,
  saved: readonly ConfigEdit[],
): { edits: ConfigEdit[]; conflicts: string[] } {
  const list = new EditList(structuredClone(file.config));
  const conflicts: string[] = [];
  for (const edit of [...saved].reverse()) {
    const current = list.read(edit.path);
    if (sameJson(current, edit.previous)) continue;
    if (sameJson(current, edit.value)) list.set(edit.path, edit.previous);
    else conflicts.push(`${formatJsonPath(edit.path)} was changed since Offload connected it: left as it is`);
  }
  return { edits: list.edits, conflicts };
}
