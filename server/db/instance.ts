// The running app's one database handle, shared by every route in this process (kept in the
// process registry so that separately bundled route modules never open a second PGlite on one folder).
import "server-only";
import { openDb, type Db } from "./client";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";

const state = processSlot("db", () => ({ opening: undefined }));

export function getDb(): Promise<Db> {
  if (!state.opening) {
    const { DATABASE_URL, OFFLOAD_DATA_DIR } = env();
    const opening = openDb({ databaseUrl: DATABASE_URL, dataDir: OFFLOAD_DATA_DIR, role: "server" });
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
