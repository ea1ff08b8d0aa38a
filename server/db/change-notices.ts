// Changes every instance's router must see at once (tier moves, fingerprint rules, settings, agents'
// keys, a health verdict), told across instances on one Postgres: the instance that made the change
// sends NOTIFY offload_changes, every other one LISTENs on a connection of its own and re-reads its
// gateway state before its next turn. The state's one-second re-read (gateway/gateway-state.ts)
// stays the fallback: a lost connection is reopened with backoff meanwhile. PGlite is one process:
// nothing to tell.
import crypto from "node:crypto";
import pg from "pg";
import { processSlot } from "@/server/process/process-registry";
import { log } from "@/server/process/log";

export const CHANGES_CHANNEL = "offload_changes";
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export type ChangeNotices = {
  /** Tells the other instances that something they route on changed. */
  announce(): void;
  stop(): Promise<void>;
  /** Whether the listening connection is open now. */
  listening(): boolean;
};

export type ChangeNoticesState = { current: ChangeNotices | null };
const slot = processSlot("changeNotices", () => ({ current: null }) as ChangeNoticesState);

/** Starts listening (once per process); `onPeerChange` runs for each notice another instance sent. */
export function startChangeNotices(databaseUrl: string, onPeerChange: () => void): ChangeNotices {
  if (slot.current) return slot.current;
  const self = crypto.randomUUID();
  let client: pg.Client | null = null;
  let open = false;
  let stopped = false;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: databaseUrl,
      connectionTimeoutMillis: 5_000,
      application_name: `offload-changes-${process.pid}`,
    });
    client = c;
    const lost = () => {
      if (client !== c) return;
      open = false;
      client = null;
      c.removeAllListeners("notification");
      void c.end().catch(() => {});
      if (!stopped) {
        log.warn({ retryMs }, "the LISTEN connection for changes between instances closed; reopening it");
        timer = setTimeout(() => void connect(), retryMs);
        timer.unref();
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    };
    c.on("error", lost);
    c.on("end", lost);
    c.on("notification", (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload !== self) onPeerChange();
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANGES_CHANNEL}`);
      open = true;
      retryMs = RETRY_MIN_MS;
      // Whatever changed while the connection was away is read by the state's own re-read; one
      // more re-read now costs nothing.
      onPeerChange();
    } catch {
      lost();
    }
  };
  void connect();

  const notices: ChangeNotices = {
    announce() {
      if (!open || !client) return; // the others' one-second re-read will see it
      client.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, self]).catch(() => {});
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      open = false;
      slot.current = null;
      await c?.end().catch(() => {});
    },
    listening: () => open,
  };
  slot.current = notices;
  return notices;
}

/** The running notices of this process, if any. */
export function changeNotices(): ChangeNotices | null {
  return slot.current;
}
