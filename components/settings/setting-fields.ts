// What the Settings page says about each setting: its label, unit and help, how its input reads, and
// how a stored value (the audit's JSON) reads for people.
import { KV_CACHE_TYPES } from "@/server/core/settings-defaults";
import type { RouterOutputs } from "@/server/api/root";

/** How many recent changes the page lists (its prefetch asks for the same). */
export const CHANGES_LIMIT = 20;

export type SettingsData = RouterOutputs["system"]["settings"];
export type SettingKey = keyof SettingsData;

export type FieldSpec = {
  key: SettingKey;
  label: string;
  /** After the value, in the input's suffix and in the audit ("tokens", "USD/kWh"). */
  unit?: string;
  help: string;
  kind: "integer" | "number" | "text" | "boolean" | "choice";
  choices?: readonly { value: string; label: string }[];
  /** Width of a number's input. */
  wide?: boolean;
};

export const LOCAL_MODEL_FIELDS: FieldSpec[] = [
  {
    key: "defaultLocalModel",
    label: "Default model",
    help: "The Ollama model the local lanes use for an agent that names none (pull it on the Ollama host first).",
    kind: "text",
    wide: true,
  },
  {
    key: "localContextTokens",
    label: "Local context",
    unit: "tokens",
    help: "Context length set on every local request. Ollama's own default of 4,096 silently cuts agent prompts; a prompt that does not fit goes to Claude instead.",
    kind: "integer",
  },
  {
    key: "localAnswerReserveTokens",
    label: "Answer reserve",
    unit: "tokens",
    help: "Room kept inside the local context for the answer (a request's max_tokens when smaller). Less than the local context.",
    kind: "integer",
  },
  {
    key: "kvCacheType",
    label: "KV cache type",
    help: "The type the Ollama server runs its KV cache with (OLLAMA_KV_CACHE_TYPE, set on that server): what the local context costs in GPU memory.",
    kind: "choice",
    choices: KV_CACHE_TYPES.map((value) => ({
      value,
      label:
        value === "f16" ? "f16 (Ollama's default)" : value === "q8_0" ? "q8_0 (half the memory)" : "q4_0 (a quarter)",
    })),
  },
  {
    key: "localKeepAliveMinutes",
    label: "Keep-alive",
    unit: "minutes",
    help: "How long Ollama keeps the model loaded after a request; never less than the fleet's longest heartbeat plus 5 minutes, so heartbeats do not reload it.",
    kind: "integer",
  },
  {
    key: "localTimeoutSeconds",
    label: "Local timeout",
    unit: "seconds",
    help: "A local answer that takes longer is given up on, and sent to Claude where escalation is allowed.",
    kind: "integer",
  },
];

export const ROUTING_FIELDS: FieldSpec[] = [
  {
    key: "classifierMinConfidence",
    label: "Classifier threshold",
    unit: "0 to 1",
    help: "Below this confidence the classifier's verdict is not acted on and the turn goes to Claude. Higher is safer and spends more.",
    kind: "number",
  },
  {
    key: "escalateWhenLocalDown",
    label: "Send local work to Claude while Ollama is down",
    help: "Off: local turns fail at once with an error while Ollama is down.",
    kind: "boolean",
  },
  {
    key: "carefulToClaudeWhenDegraded",
    label: "Send Local-with-care work to Claude while Ollama is degraded",
    help: "Degraded: slow generation, failing turns or a high p95 latency (thresholds: offload settings).",
    kind: "boolean",
  },
];

export const COST_FIELDS: FieldSpec[] = [
  {
    key: "electricityUsdPerKwh",
    label: "Electricity price",
    unit: "USD/kWh",
    help: "What a local turn costs: GPU watts × generation time × this price.",
    kind: "number",
  },
  {
    key: "gpuWatts",
    label: "GPU power",
    unit: "W",
    help: "What the GPU draws while generating.",
    kind: "integer",
  },
  {
    key: "gpuVramGb",
    label: "GPU memory",
    unit: "GB",
    help: "VRAM of the local model host, to judge whether the model and its context fit.",
    kind: "number",
  },
];

export const RETENTION_FIELDS: FieldSpec[] = [
  {
    key: "turnRetentionDays",
    label: "Keep raw turns for",
    unit: "days",
    help: "Turns older than this are deleted, a whole UTC day at a time (checked every 10 minutes); daily totals, which every chart and the Costs page read, are kept forever. 0 keeps every turn; otherwise 31 to 3,650 days.",
    kind: "integer",
  },
];

const ALL_FIELDS = [...LOCAL_MODEL_FIELDS, ...ROUTING_FIELDS, ...COST_FIELDS, ...RETENTION_FIELDS];

/** Labels of the settings the page has no field for (changed with `offload settings set`). */
const OTHER_LABELS: Partial<Record<SettingKey, string>> = {
  heartbeatPatterns: "Heartbeat patterns",
  fleetDailyBudgetUsd: "Fleet daily Claude budget, USD",
  ollamaHosts: "Ollama hosts",
  modelMappings: "Model mappings",
  defaultClaudeModel: "Claude model",
  healthMinTokensPerSecond: "Health: minimum speed",
  healthMaxErrorRate: "Health: maximum error rate",
  healthMaxP95Seconds: "Health: maximum p95 latency",
  healthProbeChat: "Health: probe chat",
  counterfactualCachedShare: "Counterfactual cached share",
  projectionAgents: "Projection: agents",
  projectionHeartbeatMinutes: "Projection: heartbeat minutes",
  projectionActiveHours: "Projection: active hours",
  projectionTurnCostLowUsd: "Projection: turn cost low",
  projectionTurnCostHighUsd: "Projection: turn cost high",
};

export function fieldSpec(key: string): FieldSpec | undefined {
  return ALL_FIELDS.find((f) => f.key === key);
}

export function settingLabel(key: string): string {
  return fieldSpec(key)?.label ?? OTHER_LABELS[key as SettingKey] ?? key;
}

/** A setting's value for people: "24,576 tokens", "on", "/^ping$/, /^pong$/", "http://gpu1:11434, http://gpu2:11434". */
export function describeSettingValue(key: string, value: unknown): string {
  const spec = fieldSpec(key);
  if (typeof value === "boolean") return value ? "on" : "off";
  if (key === "turnRetentionDays" && value === 0) return "keep every turn";
  if (typeof value === "number") {
    const n = value.toLocaleString("en-US", { maximumFractionDigits: 6 });
    if (!spec?.unit) return n;
    return spec.unit === "USD/kWh" ? `$${n}/kWh` : spec.unit === "0 to 1" ? n : `${n} ${spec.unit}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "none";
    return value
      .map((v) =>
        typeof v !== "string"
          ? JSON.stringify(v)
          : key === "heartbeatPatterns"
            ? `/${v}/`
            : key === "ollamaHosts"
              ? v
              : JSON.stringify(v),
      )
      .join(", ");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An audit value (the JSON of the value) for people. */
export function describeSettingJson(key: string, json: string): string {
  try {
    return describeSettingValue(key, JSON.parse(json));
  } catch {
    return json;
  }
}

/** A server message without its leading "field: " (the page shows it next to the field, under its label). */
export function messageWithoutField(message: string, field: string | null | undefined): string {
  return field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
