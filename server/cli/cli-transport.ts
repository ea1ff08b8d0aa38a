// How the CLI reaches Offload's admin API. With Postgres it opens the database itself. With the
// embedded database only one process may open the folder, so while the server runs the CLI goes
// through it (the address and credential the server left in the data folder); otherwise it opens
// the folder itself. Either way the CLI calls the same tRPC router.
import fs from "node:fs";
import { createTRPCClient, httpBatchLink, unstable_localLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import type { Env } from "@/server/process/env";
import { openDb, type Db } from "@/server/db/client";
import { resolveDataDir, secureDataDir } from "@/server/db/data-dir";
import { DataDirBusyError, isProcessAlive, readLockOwner } from "@/server/db/data-dir-lock";
import type { ServerContact } from "@/server/runtime/boot";

export type AdminConnection = {
  client: TRPCClient<AppRouter>;
  via: "server" | "direct";
  /** The running server's address, when the CLI goes through it. */
  url?: string;
  close(): Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readContact(serverFile: string): ServerContact | null {
  try {
    const contact = JSON.parse(fs.readFileSync(serverFile, "utf8")) as ServerContact;
    return typeof contact.url === "string" && typeof contact.token === "string" && typeof contact.pid === "number"
      ? contact
      : null;
  } catch {
    return null;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function remote(contact: ServerContact): AdminConnection {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${contact.url}/api/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${contact.token}` },
      }),
    ],
  });
  return { client, via: "server", url: contact.url, close: async () => {} };
}

async function direct(env: Env): Promise<AdminConnection> {
  const [{ appRouter }, { applyMigrations }, { seedCatalogue }] = await Promise.all([
    import("@/server/api/root"),
    import("@/server/db/migrate"),
    import("@/server/db/seed"),
  ]);
  const db: Db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.OFFLOAD_DATA_DIR, role: "cli" });
  // PGlite makes its files world-writable: owner-only, as the server keeps them (best effort here;
  // the server's start refuses a folder it cannot fix).
  const secure = () => {
    if (db.kind !== "pglite") return;
    try {
      secureDataDir(resolveDataDir(env.OFFLOAD_DATA_DIR).root);
    } catch {
      // left for the server's start to report
    }
  };
  try {
    await applyMigrations(db);
    await seedCatalogue(db);
    secure();
  } catch (err) {
    await db.close();
    throw err;
  }
  const client = createTRPCClient<AppRouter>({
    links: [
      unstable_localLink({
        router: appRouter,
        transformer: superjson,
        createContext: async () => ({ db, actor: { kind: "cli", name: "cli" } }),
      }),
    ],
  });
  return {
    client,
    via: "direct",
    close: async () => {
      await db.close();
      secure();
    },
  };
}

/** Connects to the admin API the way the environment allows, waiting (up to waitMs) for a starting server. */
export async function connectAdmin(env: Env, waitMs = 120_000): Promise<AdminConnection> {
  if (env.DATABASE_URL) return direct(env);
  const paths = resolveDataDir(env.OFFLOAD_DATA_DIR);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const contact = readContact(paths.serverFile);
    if (contact && isProcessAlive(contact.pid)) {
      if (await answers(contact.url)) return remote(contact);
    } else {
      const owner = readLockOwner(paths.lockFile);
      const busy = owner && owner.pid !== process.pid && isProcessAlive(owner.pid);
      if (!busy) {
        try {
          return await direct(env);
        } catch (err) {
          if (!(err instanceof DataDirBusyError)) throw err;
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the embedded database in ${paths.root} stayed busy for ${Math.round(waitMs / 1000)} s (another Offload process holds it)`,
      );
    }
    await sleep(500);
  }
}
