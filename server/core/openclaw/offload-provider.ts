// The OpenClaw provider entry Offload writes for one agent (docs/gateway/config-tools/custom-providers.md):
// Offload's Anthropic Messages endpoint, the agent's key by `${VAR}` reference (never the key), and its
// Claude models with OpenClaw's cost fields. Connect and export write the same entry.
import type { OffloadProviderModel } from "./openclaw-types";

/** `models.providers["offload-<id>"]`; a model without a price row is written bare (id, name, no cost or limits). */
export function buildOffloadProvider(
  baseUrl: string,
  envName: string,
  modelIds: readonly string[],
  rows: readonly OffloadProviderModel[],
): Record<string, unknown> {
  return {
    baseUrl,
    api: "anthropic-messages",
    apiKey: `\${${envName}}`,
    models: modelIds.map((id) => {
      const row = rows.find((m) => m.id === id);
      const model = { id, name: row?.name ?? id, reasoning: true, input: ["text"] };
      return row ? { ...model, cost: row.cost, contextWindow: row.contextWindow, maxTokens: row.maxTokens } : model;
    }),
  };
}
