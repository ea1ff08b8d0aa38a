// What each agent may still spend on Claude today, and how fast it may call: agents' limits (daily
// Claude budget, requests per minute, what happens over budget), today's Claude spend and the
// fleet's budget, read from the database at most once a second (a turn must not wait for a query),
// plus what this process has metered since and the database does not hold yet.
//
// Spend survives restarts because it is read from DailyUsage (the gateway-metered cost of the agent's
// claude-lane turns on the UTC day; turns agents report themselves are not counted). Between a turn's
// answer and its write (the turn writer flushes in batches) the turn's cost is kept here by turn id,
// so a burst cannot overspend between flushes; each reload drops the turns the database now holds, in
// the same statement that reads the totals (one snapshot: a turn is counted once or, for a second at
// most, twice, never not at all).
import "server-only";
import type { Db } from "@/server/db/client";
import { readSettings } from "@/server/db/settings";
import { utcDay, type TurnRecord } from "@/server/core/turn-record";
import { usdToMicroUsd, type OverBudgetAction } from "@/server/core/budgets/budget-rules";
import { processSlot } from "@/server/process/process-registry";
import { log } from "@/server/process/log";

export type AgentLimits = {
  /** Daily Claude budget, micro-dollars; null: none. */
  dailyBudgetMicroUsd: bigint | null;
  /** Requests per minute through the gateway; null: no limit. */
  requestsPerMinute: number | null;
  overBudget: OverBudgetAction;
};

export type BudgetSnapshot = {
  /** The UTC day the spend is for (YYYY-MM-DD). */
  day: string;
  loadedAt: number;
  /** Active agents' limits. */
  limits: Map<string, AgentLimits>;
  /** Today's metered Claude cost per agent, as the database held it at `loadedAt`. */
  storedSpend: Map<string, bigint>;
  /** The fleet's daily budget, micro-dollars; null: none. */
  fleetBudgetMicroUsd: bigint | null;
};

type Unconfirmed = { agentId: string; day: string; costMicroUsd: bigint };

export type BudgetLedgerState = {
  db: Db | undefined;
  current: BudgetSnapshot | undefined;
  /** The read under way, and the generation it was started in. */
  loading: { generation: number; promise: Promise<BudgetSnapshot> } | undefined;
  /** Bumped when limits change here: a read started before is not applied. */
  generation: number;
  /** Claude turns this process metered that the database did not hold at the last read: turn id -> cost. */
  unconfirmed: Map<string, Unconfirmed>;
  /** The same, summed per `agentId|day`. */
  pending: Map<string, bigint>;
  /** Accepted gateway requests of the last minute, per agent (times in ms, oldest first). */
  windows: Map<string, number[]>;
  lastError: string | undefined;
};

const TTL_MS = 1_000;
/** The snapshot age an agent near its budget is decided on (several instances spend one budget). */
const NEAR_BUDGET_TTL_MS = 100;

const ledger = processSlot("budgets", () => fresh());

function fresh(): BudgetLedgerState {
  return {
    db: undefined,
    current: undefined,
    loading: undefined,
    generation: 0,
    unconfirmed: new Map(),
    pending: new Map(),
    windows: new Map(),
    lastError: undefined,
  };
}

const pendingKey = (agentId: string, day: string) => `${agentId}|${day}`;

function forget(id: string): void {
  const u = ledger.unconfirmed.get(id);
  if (!u) return;
  ledger.unconfirmed.delete(id);
  const key = pendingKey(u.agentId, u.day);
  const left = (ledger.pending.get(key) ?? 0n) - u.costMicroUsd;
  if (left > 0n) ledger.pending.set(key, left);
  else ledger.pending.delete(key);
}

/** Counts a metered Claude turn at once (called where the gateway prices it), until the database holds it. */
export function noteClaudeSpend(turn: Pick<TurnRecord, "id" | "agentId" | "startedAt" | "costMicroUsd">): void {
  const cost = turn.costMicroUsd ?? 0n;
  if (cost <= 0n || ledger.unconfirmed.has(turn.id)) return;
  const day = utcDay(turn.startedAt);
  ledger.unconfirmed.set(turn.id, { agentId: turn.agentId, day, costMicroUsd: cost });
  const key = pendingKey(turn.agentId, day);
  ledger.pending.set(key, (ledger.pending.get(key) ?? 0n) + cost);
}

type Row = { kind: "spend" | "seen"; key: string; value: string | null };

/** Reads limits and today's spend, and which unconfirmed turns the database now holds (one statement for both). */
async function load(db: Db, now: number): Promise<{ snapshot: BudgetSnapshot; seen: string[] }> {
  const day = utcDay(new Date(now));
  const ids = [...ledger.unconfirmed.keys()];
  const [agents, settings] = await Promise.all([
    db.prisma.agent.findMany({
      where: { removedAt: null },
      select: { id: true, dailyBudgetMicroUsd: true, requestsPerMinute: true, overBudget: true },
    }),
    readSettings(db),
  ]);
  const rows = await db.sql.query<Row>(
    `select 'spend' as kind, "agentId" as key, (sum("costMicroUsd") - sum("reportedCostMicroUsd"))::text as value
       from "DailyUsage" where "day" = $1::date and "lane" = 'claude' group by "agentId"
     union all
     select 'seen' as kind, "id" as key, null as value
       from "Turn" where "id" in (select jsonb_array_elements_text($2::jsonb))`,
    [day, JSON.stringify(ids)],
  );
  const storedSpend = new Map<string, bigint>();
  const seen: string[] = [];
  for (const r of rows) {
    if (r.kind === "spend") storedSpend.set(r.key, BigInt(r.value ?? "0"));
    else seen.push(r.key);
  }
  const snapshot: BudgetSnapshot = {
    day,
    loadedAt: now,
    limits: new Map(
      agents.map((a) => [
        a.id,
        {
          dailyBudgetMicroUsd: a.dailyBudgetMicroUsd,
          requestsPerMinute: a.requestsPerMinute,
          overBudget: a.overBudget,
        },
      ]),
    ),
    storedSpend,
    fleetBudgetMicroUsd: settings.fleetDailyBudgetUsd > 0 ? usdToMicroUsd(settings.fleetDailyBudgetUsd) : null,
  };
  return { snapshot, seen };
}

/** A snapshot with no limits and no spend: what is known before the database ever answered. */
const emptySnapshot = (now: number): BudgetSnapshot => ({
  day: utcDay(new Date(now)),
  loadedAt: now,
  limits: new Map(),
  storedSpend: new Map(),
  fleetBudgetMicroUsd: null,
});

/**
 * Reads the database (one read at a time; a read started before limits changed here is not reused
 * nor applied). Applying a read swaps the snapshot and drops the turns its totals hold, together, so
 * no turn is ever counted in neither. On failure the last snapshot stays, tried again a second later.
 */
function reload(db: Db, now: number): Promise<BudgetSnapshot> {
  const generation = ledger.generation;
  if (ledger.loading?.generation === generation) return ledger.loading.promise;
  const current = () => (ledger.db === db && ledger.generation === generation ? ledger : null);
  const promise = load(db, now)
    .then(
      ({ snapshot, seen }) => {
        const live = current();
        if (live) {
          for (const id of seen) forget(id);
          // Yesterday's unwritten turns no longer count against anything.
          for (const [id, u] of live.unconfirmed) if (u.day < snapshot.day) forget(id);
          live.current = snapshot;
          live.lastError = undefined;
        }
        return snapshot;
      },
      (err: unknown) => {
        const message = (err as Error).message;
        if (ledger.lastError !== message) log.warn({ err }, "could not read budgets, using the last ones read");
        ledger.lastError = message;
        const last = { ...(ledger.current ?? emptySnapshot(now)), loadedAt: now };
        const live = current();
        if (live) live.current = last;
        return last;
      },
    )
    .finally(() => {
      if (ledger.loading?.promise === promise) ledger.loading = undefined;
    });
  ledger.loading = { generation, promise };
  return promise;
}

/**
 * Limits and spend, at most a second old (and of today, UTC). A turn does not wait for the re-read of a
 * snapshot of today: it is decided on the last one (with every turn metered since), while the next is
 * read. While the database does not answer, the last snapshot read is used (and none at first: no
 * limits are known, nothing is refused).
 */
export async function budgetSnapshot(db: Db, now = Date.now(), agentId?: string): Promise<BudgetSnapshot> {
  if (ledger.db !== db) {
    // Another database (tests): turns metered for the last one are not in this one.
    Object.assign(ledger, fresh(), { db });
  }
  const current = ledger.current;
  const today = utcDay(new Date(now));
  // An agent near its budget may be spending it through other instances too: its turns wait for a
  // snapshot at most NEAR_BUDGET_TTL_MS old, not one a second old served while the next is read.
  const near = !!current && agentId !== undefined && nearBudget(current, agentId);
  const maxAge = near ? NEAR_BUDGET_TTL_MS : TTL_MS;
  if (current && now - current.loadedAt < maxAge && current.day === today) return current;
  const next = reload(db, now);
  if (current && current.day === today && !near) return current;
  return next;
}

/** At 80% of its daily budget or more, in this snapshot (with what this process metered since). */
function nearBudget(snapshot: BudgetSnapshot, agentId: string): boolean {
  const budget = snapshot.limits.get(agentId)?.dailyBudgetMicroUsd;
  if (budget === null || budget === undefined) return false;
  return spentToday(snapshot, agentId) * 10n >= budget * 8n;
}

/** A snapshot read now (the dashboard's, which may wait): settings changed a moment ago included. */
export async function freshBudgetSnapshot(db: Db, now = Date.now()): Promise<BudgetSnapshot> {
  if (ledger.db !== db) Object.assign(ledger, fresh(), { db });
  ledger.generation++;
  return reload(db, now);
}

/** Today's Claude spend of an agent: what the database held at the snapshot, plus what this process metered since. */
export function spentToday(snapshot: BudgetSnapshot, agentId: string): bigint {
  return (snapshot.storedSpend.get(agentId) ?? 0n) + (ledger.pending.get(pendingKey(agentId, snapshot.day)) ?? 0n);
}

/** The fleet's Claude spend today (every agent, removed ones included). */
export function fleetSpentToday(snapshot: BudgetSnapshot): bigint {
  let total = 0n;
  for (const v of snapshot.storedSpend.values()) total += v;
  for (const [key, v] of ledger.pending) if (key.endsWith(`|${snapshot.day}`)) total += v;
  return total;
}

/** The window of an agent's accepted requests of the last minute (kept across snapshots). */
export function requestWindow(agentId: string): number[] {
  let w = ledger.windows.get(agentId);
  if (!w) ledger.windows.set(agentId, (w = []));
  return w;
}

/** Limits changed in this process (admin API): the next turn waits for them to be read afresh. */
export function invalidateBudgets(): void {
  ledger.current = undefined;
  ledger.generation++;
}

/** For tests: forget everything this process knows, as a restart would. */
export function resetBudgetLedger(): void {
  Object.assign(ledger, fresh());
}
