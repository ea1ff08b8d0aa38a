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
import { changeNotices } from "@/server/db/change-notices";
import { log } from "@/server/process/log";

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
const slot = processSlot("gatewayState", () => ({
  cached: undefined,
  lastServed: undefined,
  refreshing: false,
  lastGood: undefined,
  staleSince: undefined,
}));

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

/**
 * The task types read before when they are the same: the classifier compiles its vocabulary once
 * per list of task types (core/classifier), 1-2 ms, and the state is re-read every second.
 */
function sameTaskTypes(before: ClassifierTaskType[] | undefined, now: ClassifierTaskType[]): ClassifierTaskType[] {
  return before && JSON.stringify(before) === JSON.stringify(now) ? before : now;
}

/** Reads the state; on failure, the last one read (the database is away), else the error. */
function loadOrLast(db: Db): Promise<GatewayState> {
  const last = slot.lastGood?.db === db ? slot.lastGood.state : undefined;
  return load(db).then(
    (read) => {
      const fresh = { ...read, taskTypes: sameTaskTypes(last?.taskTypes, read.taskTypes) };
      slot.lastGood = { db, state: fresh };
      slot.staleSince = undefined;
      return fresh;
    },
    (err: Error) => {
      if (!last) throw err;
      if (slot.staleSince === undefined) {
        slot.staleSince = Date.now();
        log.warn({ err }, "the database did not answer; routing on the state read before");
      }
      return { ...last, loadedAt: Date.now() };
    },
  );
}

/**
 * The gateway's state, about a second old at most: an older one is served while a fresh one is
 * read in the background, so no turn waits for the reads. While the database is unreachable the
 * last state read is served (agents keep their keys, the board its lanes; the turns are spooled
 * meanwhile) and the database is tried again each second; only a process that never read it fails.
 * After invalidateGatewayState() the next turn waits for a fresh read.
 */
export async function gatewayState(db: Db): Promise<GatewayState> {
  const cached = slot.cached;
  if (cached && cached.db === db) {
    const current = slot.lastServed?.db === db ? slot.lastServed.state : undefined;
    if (!current) return cached.state;
    if (Date.now() - current.loadedAt >= TTL_MS && !slot.refreshing) {
      const next = loadOrLast(db);
      slot.refreshing = true;
      slot.cached = { db, state: next };
      void next
        .then(
          (state) => {
            // Unless a change invalidated the state meanwhile: then the read after it wins.
            if (slot.cached?.state === next) slot.lastServed = { db, state };
          },
          () => {},
        )
        .finally(() => (slot.refreshing = false));
    }
    return current;
  }
  const state = loadOrLast(db);
  slot.cached = { db, state };
  const loaded = await state;
  if (slot.cached?.state === state) slot.lastServed = { db, state: loaded };
  return loaded;
}

/** Since when the gateway has been routing on an old state because the database did not answer. */
export function gatewayStateStaleSince(): number | undefined {
  return slot.staleSince;
}

/**
 * The next turn reads the state afresh. A change made here is also told to the other instances on
 * the same Postgres (db/change-notices.ts); `fromPeer`: the notice came from one of them.
 */
export function invalidateGatewayState(options: { fromPeer?: boolean } = {}): void {
  slot.cached = undefined;
  slot.lastServed = undefined;
  if (!options.fromPeer) changeNotices()?.announce();
}
