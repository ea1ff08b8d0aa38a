// What the gateway needs on every turn (task types, settings, prices, Ollama's verdict, the fleet's
// longest heartbeat, the operator's fingerprint rules, agents by key), read at most once a second:
// a turn must not wait for six queries. Changes made in this process call invalidateGatewayState():
// the tier board and pins (tiers/manage-tiers), fingerprint rules (fingerprints/manage-fingerprints),
// agents' keys (agents/manage-agents), settings (api/routers/system, after settings/manage-settings)
// and a changed health verdict.
import type { Db } from "@/server/db/client";
import { readSettings } from "@/server/db/settings";
import { readPriceMap } from "@/server/db/prices";
import { readOllamaHealth } from "@/server/health/read-ollama-health";
import type { ClassifierTaskType } from "@/server/core/classifier/classify-task";
import type { OllamaHealth } from "@/server/core/routing/decide-route";
import type { Settings } from "@/server/core/settings-defaults";
import type { PriceMap } from "@/server/core/cost/price-turn";
import type { CallerAgent } from "@/server/agents/authenticate-caller";
import { processSlot } from "@/server/process/process-registry";

export type GatewayAgent = CallerAgent;

export type GatewayState = {
  taskTypes: ClassifierTaskType[];
  settings: Settings;
  prices: PriceMap;
  health: OllamaHealth;
  longestHeartbeatMinutes: number;
  /** The operator's rules: fingerprint id -> task type id (Fingerprint rows with a task type). */
  fingerprintRules: Map<string, string>;
  agentsByKeyHash: Map<string, GatewayAgent>;
  loadedAt: number;
};

const TTL_MS = 1_000;
const slot = processSlot("gatewayState", () => ({ cached: undefined }));

async function load(db: Db): Promise<GatewayState> {
  const [taskTypes, settings, prices, health, agents, rules] = await Promise.all([
    db.prisma.taskType.findMany({
      select: { id: true, name: true, lane: true, examples: true },
      orderBy: { id: "asc" },
    }),
    readSettings(db),
    readPriceMap(db),
    readOllamaHealth(db),
    db.prisma.agent.findMany({
      where: { removedAt: null, apiKeyHash: { not: null } },
      select: { id: true, pin: true, localModel: true, claudeModel: true, heartbeatMinutes: true, apiKeyHash: true },
    }),
    db.prisma.fingerprint.findMany({ where: { taskTypeId: { not: null } }, select: { id: true, taskTypeId: true } }),
  ]);
  return {
    taskTypes,
    settings,
    prices,
    health,
    longestHeartbeatMinutes: agents.reduce((m, a) => Math.max(m, a.heartbeatMinutes), 0),
    fingerprintRules: new Map(rules.map((r) => [r.id, r.taskTypeId!])),
    agentsByKeyHash: new Map(agents.map(({ apiKeyHash, ...a }) => [apiKeyHash!, a])),
    loadedAt: Date.now(),
  };
}

export async function gatewayState(db: Db): Promise<GatewayState> {
  const cached = slot.cached;
  if (cached && cached.db === db) {
    const state = await cached.state.catch(() => null);
    if (state && Date.now() - state.loadedAt < TTL_MS) return state;
  }
  const state = load(db);
  slot.cached = { db, state };
  return state;
}

export function invalidateGatewayState(): void {
  slot.cached = undefined;
}
