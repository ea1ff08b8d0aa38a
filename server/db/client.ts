// The one module that decides which database Offload uses: DATABASE_URL -> that Postgres server
// through @prisma/adapter-pg; unset -> embedded PGlite in OFFLOAD_DATA_DIR. Nothing else knows.
import "server-only";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/client";
import { checkPgliteFolder, DataDirError, resolveDataDir } from "./data-dir";
import { acquireDataDirLock, type LockOwner } from "./data-dir-lock";
import { ThreadedPGlite, ThreadStartError } from "./pglite-thread";

export type DbKind = "pglite" | "postgres";

/** Plain SQL access beside Prisma, for migrations and aggregate upserts. */
export type SqlRunner = {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn on one connection inside BEGIN/COMMIT, rolling back on error. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
};

export type Db = {
  kind: DbKind;
  /** Where the data is, for messages: a folder or host:port/database (no password). */
  location: string;
  /** Embedded: whether PGlite runs on a worker thread of its own or on the thread that opened it. */
  thread?: "worker" | "main";
  prisma: PrismaClient;
  sql: SqlRunner & {
    /** Holds a session-level lock on one connection while fn runs (advisory lock on Postgres). */
    withExclusiveLock<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
    /**
     * Runs fn while holding the lock `key` without waiting for it: a session-level advisory lock on
     * a connection of its own on Postgres (one holder across every instance on the server), this
     * process's hold on PGlite (one process). `{ locked: false }` at once, fn not run, when another holds it.
     */
    tryExclusiveLock<T>(key: number, fn: () => Promise<T>): Promise<TryLockResult<T>>;
  };
  close(): Promise<void>;
};

export type TryLockResult<T> = { locked: true; value: T } | { locked: false };

export class DbConnectError extends Error {
  override name = "DbConnectError";
}

export type OpenDbOptions = {
  databaseUrl?: string;
  dataDir?: string;
  /** Who holds the embedded folder's lock (the server or a CLI command). */
  role?: LockOwner["role"];
  /** Embedded in memory, for tests. */
  inMemory?: boolean;
  /**
   * Embedded: run PGlite on a worker thread of its own (pglite-thread.ts) instead of the caller's
   * thread. The server does (its thread answers agents); commands and tests need not.
   */
  ownThread?: boolean;
  /** With ownThread: called once if that thread stops on its own (every query fails from then on). */
  onThreadLost?: (err: Error) => void;
  /** Postgres: connections this process may hold (default 10); idle ones close after 10 s. */
  poolMax?: number;
};

/** Host, port and database of a Postgres URL, never its password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "the DATABASE_URL server";
  }
}

const ADVISORY_LOCK_KEY = 4_242_001; // "offload migrations"

/**
 * Keeps a checked-out connection's 'error' event from becoming an uncaught exception: the pool
 * listens only while a connection is idle, and a server that ends the session (a restart, a
 * failover, pg_terminate_backend) while it is checked out emits one. The connection is then
 * released as broken (closed, not pooled). Returns the error seen, if any, and stops listening.
 */
function watchConnection(conn: pg.PoolClient): () => Error | undefined {
  let seen: Error | undefined;
  const onError = (err: Error) => {
    seen = err;
  };
  conn.on("error", onError);
  return () => {
    conn.off("error", onError);
    return seen;
  };
}

function pgRunner(client: pg.PoolClient | pg.Pool): SqlRunner {
  const runner: SqlRunner = {
    async exec(sql) {
      await client.query(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async transaction(fn) {
      const own = !("release" in client);
      const conn = own ? await (client as pg.Pool).connect() : (client as pg.PoolClient);
      const unwatch = own ? watchConnection(conn) : () => undefined;
      // A connection whose BEGIN or ROLLBACK fails (it was lost) is closed, not pooled; the caller
      // sees the error that ended the transaction, not the ROLLBACK's.
      let broken: Error | undefined;
      try {
        await conn.query("BEGIN").catch((err: Error) => {
          broken = err;
          throw err;
        });
        try {
          const result = await fn(pgRunner(conn));
          await conn.query("COMMIT");
          return result;
        } catch (err) {
          await conn.query("ROLLBACK").catch((rollbackErr: Error) => {
            broken = rollbackErr;
          });
          throw err;
        }
      } finally {
        const lost = unwatch();
        if (own) conn.release(broken ?? lost);
      }
    },
  };
  return runner;
}

async function openPostgres(url: string, poolMax = 10): Promise<Db> {
  const where = describePostgresUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 });
  pool.on("error", () => {}); // idle client errors surface on the next query instead
  try {
    await pool.query("select 1");
  } catch (err) {
    await pool.end().catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    throw new DbConnectError(`cannot reach the database at ${where}: ${code ?? (err as Error).message}`);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const base = pgRunner(pool);
  return {
    kind: "postgres",
    location: where,
    prisma,
    sql: {
      ...base,
      async withExclusiveLock(fn) {
        const conn = await pool.connect();
        try {
          await conn.query("select pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
          try {
            return await fn(pgRunner(conn));
          } finally {
            await conn.query("select pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
          }
        } finally {
          conn.release();
        }
      },
      async tryExclusiveLock(key, fn) {
        const conn = await pool.connect();
        const unwatch = watchConnection(conn);
        // A connection that fails a lock query is closed, not pooled: closing it ends the lock.
        let broken: Error | undefined;
        const onConn = (sql: string) =>
          conn.query<{ locked: boolean }>(sql, [key]).catch((err: Error) => {
            broken = err;
            throw err;
          });
        try {
          const { rows } = await onConn("select pg_try_advisory_lock($1) as locked");
          if (rows[0]?.locked !== true) return { locked: false };
          try {
            return { locked: true, value: await fn() };
          } finally {
            await onConn("select pg_advisory_unlock($1)").catch(() => {});
          }
        } finally {
          const lost = unwatch();
          conn.release(broken ?? lost);
        }
      },
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

type PGliteTransaction = Parameters<Parameters<PGlite["transaction"]>[0]>[0];

/** `db` is PGlite (in this thread or its own) or, inside a transaction, its transaction. */
function pgliteRunner(db: PGlite | ThreadedPGlite | PGliteTransaction, inTransaction = false): SqlRunner {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async transaction(fn) {
      if (inTransaction || !("transaction" in db)) return fn(pgliteRunner(db, true));
      return db.transaction((tx: PGliteTransaction) => fn(pgliteRunner(tx, true)));
    },
  };
}

/**
 * The embedded server's buffer cache. PGlite keeps initdb's default (128 MB), and Postgres touches
 * all of its shared memory when it starts, so that much is resident in the server process from the
 * first request on; 16 MB (2,048 pages) holds the working set of the gateway's writes (the right
 * edges of Turn's indexes, today's rollup rows) and the dashboard's rollup reads, and the operating
 * system's page cache keeps the rest of the files (issue 17's memory target: 32 MB left the server
 * at 385 MiB at most under 50 streams for 10 minutes, 16 MB about 20 MiB less). A Postgres server
 * (DATABASE_URL) is configured by its operator.
 */
const PGLITE_SHARED_BUFFERS = "16MB";

async function openPglite(options: OpenDbOptions): Promise<Db> {
  let pglite: PGlite | ThreadedPGlite;
  let release = () => {};
  let location = "memory";
  if (options.inMemory) {
    pglite = options.ownThread ? await ThreadedPGlite.create({ onLost: options.onThreadLost }) : await PGlite.create();
  } else {
    const paths = resolveDataDir(options.dataDir ?? "./.data");
    location = paths.pglite;
    checkPgliteFolder(paths.pglite);
    release = acquireDataDirLock(paths.lockFile, options.role ?? "cli");
    try {
      const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
      pglite = options.ownThread
        ? await ThreadedPGlite.create({ dataDir: paths.pglite, startParams, onLost: options.onThreadLost })
        : await PGlite.create(paths.pglite, { startParams });
    } catch (err) {
      release();
      if (err instanceof ThreadStartError) throw err;
      throw new DataDirError(
        `cannot open the embedded database in ${paths.pglite}: ${(err as Error).message}. ` +
          `The folder may be corrupted or written by another PGlite version; Offload does not recreate it.`,
      );
    }
  }
  // The adapter uses PGlite's client side only (query, exec, transaction), which ThreadedPGlite is.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite as PGlite) });
  const base = pgliteRunner(pglite);
  const held = new Set<number>();
  return {
    kind: "pglite",
    location,
    thread: pglite instanceof ThreadedPGlite ? "worker" : "main",
    prisma,
    // One process owns the folder (the lock file), so a transaction is exclusive enough.
    sql: {
      ...base,
      withExclusiveLock: (fn) => fn(base),
      async tryExclusiveLock(key, fn) {
        if (held.has(key)) return { locked: false };
        held.add(key);
        try {
          return { locked: true, value: await fn() };
        } finally {
          held.delete(key);
        }
      },
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      release();
    },
  };
}

/** Opens the database the environment asks for. */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolMax);
  return openPglite(options);
}
