// The running app's one database handle, shared by every route in this process (kept in the
// process registry so that separately bundled route modules never open a second PGlite on one folder).
import "server-only";
import { openDb, type Db } from "./client";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";

const state = processSlot("db", () => ({ opening: undefined }));

/**
 * Who hears it if the embedded database's thread stops on its own (the server: it logs it and
 * exits, so that its supervisor starts it again on a database that works; answered turns are in the spool).
 */
export function onDbLost(handler: (err: Error) => void): void {
  state.onLost = handler;
}

export function getDb(): Promise<Db> {
  if (!state.opening) {
    const { DATABASE_URL, OFFLOAD_DATA_DIR, OFFLOAD_EMBEDDED_DB_THREAD } = env();
    const opening = openDb({
      databaseUrl: DATABASE_URL,
      dataDir: OFFLOAD_DATA_DIR,
      role: "server",
      ownThread: OFFLOAD_EMBEDDED_DB_THREAD === "worker",
      onThreadLost: (err) => state.onLost?.(err),
    });
    opening.catch(() => {
      if (state.opening === opening) state.opening = undefined;
    });
    state.opening = opening;
  }
  return state.opening;
}

export async function closeDb(): Promise<void> {
  const db = state.opening;
  state.opening = undefined;
  if (db) await (await db).close();
}
