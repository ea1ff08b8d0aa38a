// The running app's one database handle, shared by every route in this process (kept on
// globalThis so that separately bundled route modules never open a second PGlite on one folder).
import { openDb, type Db } from "./client";
import { readEnv } from "@/server/env";

const state = globalThis as typeof globalThis & { __offloadDb?: Promise<Db> };

export function getDb(): Promise<Db> {
  if (!state.__offloadDb) {
    const env = readEnv();
    const opening = openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.OFFLOAD_DATA_DIR, role: "server" });
    opening.catch(() => {
      if (state.__offloadDb === opening) state.__offloadDb = undefined;
    });
    state.__offloadDb = opening;
  }
  return state.__offloadDb;
}

export async function closeDb(): Promise<void> {
  const db = state.__offloadDb;
  state.__offloadDb = undefined;
  if (db) await (await db).close();
}
