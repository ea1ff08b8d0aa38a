// Offload's fleet as an OpenClaw config: each agent with the model its lane means (its own Offload
// provider for Claude, `ollama/<model>` when pinned local, its external model kept), its heartbeat,
// and the providers connect would write; and OpenClaw's config.patch merge, to apply one onto a file
// (docs/gateway/configuration/config-rpc.md: objects merge, null deletes, arrays of objects with an
// `id` merge by id, other arrays replace).
import { formatEvery } from "./find-agents";
import { isRecord } from "./json-path";
import { buildOffloadProvider } from "./offload-provider";
import { keyEnvName, offloadProviderId } from "./openclaw-names";
import type { ExportedAgent, ExportOptions } from "./openclaw-types";

/** The OpenClaw model an agent's lane means: its external model, Ollama when pinned local, else its own Offload provider. */
function laneModel(agent: ExportedAgent): { ref: string; offloadModel?: string; ollama?: true } | null {
  if (agent.externalModel) return { ref: agent.externalModel };
  if (agent.pin === "local" && agent.localModel) return { ref: `ollama/${agent.localModel}`, ollama: true };
  if (!agent.claudeModel) return null;
  return { ref: `${offloadProviderId(agent.id)}/${agent.claudeModel}`, offloadModel: agent.claudeModel };
}

/**
 * A whole OpenClaw config for the fleet: the roster in the chosen shape, one Offload provider per agent on
 * Claude (its key from `${OFFLOAD_KEY_<ID>}`), the `ollama` provider when an agent is pinned local. Models
 * are written `{primary}` so that, merged onto a file, an agent's own fallbacks stay.
 */
export function exportRouting(fleet: readonly ExportedAgent[], options: ExportOptions): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  const roster = fleet.map((agent) => {
    const entry: Record<string, unknown> = { name: agent.name };
    const model = laneModel(agent);
    if (model) entry.model = { primary: model.ref };
    if (model?.offloadModel) {
      const provider = buildOffloadProvider(
        options.baseUrl,
        keyEnvName(agent.id),
        [model.offloadModel],
        options.models,
      );
      providers[offloadProviderId(agent.id)] = provider;
    }
    if (model?.ollama) providers.ollama = { baseUrl: options.ollamaBaseUrl, api: "ollama" };
    if (agent.heartbeatMinutes !== null) entry.heartbeat = { every: formatEvery(agent.heartbeatMinutes) };
    return { id: agent.id, entry };
  });
  const agents =
    options.shape === "entries"
      ? { entries: Object.fromEntries(roster.map(({ id, entry }) => [id, entry])) }
      : { list: roster.map(({ id, entry }) => ({ id, ...entry })) };
  return { models: { providers }, agents };
}

/**
 * The config as a patch for OpenClaw's config.patch: the same document, copied. Both roster shapes merge
 * as they are (the keyed entries by key, `agents.list` and provider `models` by id), so nothing is rewritten.
 */
export function toMergePatch(config: Record<string, unknown>): Record<string, unknown> {
  return structuredClone(config);
}

function hasIds(value: unknown[]): value is Record<string, unknown>[] {
  return value.length > 0 && value.every((item) => isRecord(item) && typeof item.id === "string");
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    if (!Array.isArray(target) || !hasIds(patch) || !target.every(isRecord)) return structuredClone(patch);
    const merged: unknown[] = [...target];
    for (const item of patch) {
      const at = merged.findIndex((existing) => isRecord(existing) && existing.id === item.id);
      if (at === -1) merged.push(mergeValue(undefined, item));
      else merged[at] = mergeValue(merged[at], item);
    }
    return merged;
  }
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = mergeValue(result[key], value);
  }
  return result;
}

/**
 * OpenClaw's config.patch applied to a config: objects merge, null deletes, arrays of objects with an `id`
 * merge by id (entries the patch does not name stay), other arrays replace. A new object: the target is
 * not changed (parts the patch does not touch are shared with it).
 */
export function applyMergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  return mergeValue(target, patch) as Record<string, unknown>;
}
