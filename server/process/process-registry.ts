// The state the server process holds once: one object on globalThis under one well-known symbol,
// one typed slot per piece. The process loads Offload's modules more than once (serve.ts under tsx,
// and Next's compiled entries: instrumentation, route handlers and pages each with their own copy),
// so module-level variables would be per copy; every copy reaching a slot here shares the one value.
import type { ChangeNoticesState } from "@/server/db/change-notices";
import "server-only";
import type { Db } from "@/server/db/client";
import type { GatewayState } from "@/server/gateway/gateway-state";
import type { WriterState } from "@/server/gateway/turn-writer";
import type { MonitorState } from "@/server/health/health-monitor";
import type { ConversationLanes } from "@/server/gateway/conversation-lanes";
import type { AsyncLocalStorage } from "node:async_hooks";
import type { FailedAttempts } from "@/server/auth/failed-attempts";
import type { BudgetLedgerState } from "@/server/budgets/budget-ledger";
import type { MetricsState } from "@/server/metrics/offload-metrics";
import type { RetentionJobState } from "@/server/turns/retire-turns";
import type { LogState, RequestStore } from "./log";

/** Every slot, with the module that owns it. Add a slot here, never a new globalThis property. */
export interface ProcessSlots {
  /** server/runtime/boot.ts: the one boot, whoever asks first. */
  boot: Promise<void>;
  /** server/db/instance.ts: the database being opened or open (undefined after closeDb). */
  db: { opening: Promise<Db> | undefined; onLost?: (err: Error) => void };
  /** server/auth/admin-auth.ts: the credential this server left for the local CLI. */
  cliToken: { value: string | undefined };
  /** server/auth/failed-attempts.ts: failed sign-ins and wrong admin tokens per client address. */
  failedAttempts: FailedAttempts;
  /**
   * server/auth/request-scope.ts: the request being served (its client address), set by server/runtime/serve.ts;
   * server/process/log.ts adds an agent request's log fields to its store.
   */
  requestScope: AsyncLocalStorage<RequestStore>;
  /** server/gateway/turn-writer.ts: queued turns, requests in flight, shutdown. */
  turnWriter: WriterState;
  /** server/gateway/gateway-state.ts: the per-second snapshot the gateway reads (undefined: reload). */
  gatewayState: {
    cached: { db: Db; state: Promise<GatewayState> } | undefined;
    /** The state turns are served now (an older one while a fresh read is under way). */
    lastServed: { db: Db; state: GatewayState } | undefined;
    refreshing: boolean;
    /** The last state read from the database, served while it does not answer. */
    lastGood: { db: Db; state: GatewayState } | undefined;
    /** When the database first failed to answer since the last good read. */
    staleSince: number | undefined;
  };
  /** server/providers/ollama-client.ts: local model requests in flight, for the health page. */
  ollamaInFlight: { count: number; byHost: Map<string, number> };
  /** server/db/change-notices.ts: LISTEN/NOTIFY between instances on one Postgres. */
  changeNotices: ChangeNoticesState;
  /** server/health/ollama-hosts.ts: when a request to each Ollama host last failed. */
  ollamaHostFailures: Map<string, number>;
  /** server/smoke/run-smoke.ts: smoke runs in progress here, so that they can be cancelled. */
  smokeRuns: Map<string, AbortController>;
  /** server/smoke/run-smoke.ts: model id -> the run on it in progress here ("" while it is being created). */
  smokeModels: Map<string, string>;
  /** server/gateway/conversation-lanes.ts: the lane each recent tool loop started on. */
  conversationLanes: ConversationLanes;
  /** server/health/health-monitor.ts: the polling timer. */
  healthMonitor: MonitorState;
  /** server/turns/retire-turns.ts: the retention job's timer and the run under way. */
  turnRetention: RetentionJobState;
  /** server/budgets/budget-ledger.ts: agents' limits and today's Claude spend, unwritten turns, request windows. */
  budgets: BudgetLedgerState;
  /** server/metrics/offload-metrics.ts: the Prometheus registry and its metrics. */
  metrics: MetricsState;
  /** server/process/log.ts: the logger, where its lines go, and the request being served. */
  log: LogState;
}

const KEY: unique symbol = Symbol.for("offload.process");
const holder = globalThis as typeof globalThis & { [KEY]?: Partial<ProcessSlots> };

/** The process's one value for `name`, made by `init` the first time any copy of any module asks. */
export function processSlot<K extends keyof ProcessSlots>(name: K, init: () => ProcessSlots[K]): ProcessSlots[K] {
  const slots = (holder[KEY] ??= {});
  return (slots[name] ??= init()) as ProcessSlots[K];
}
