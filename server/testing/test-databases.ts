// Database tests run on embedded PGlite always, and on the real Postgres server when
// TEST_DATABASE_URL is set (each test file in a throwaway database of its own).
import crypto from "node:crypto";
import pg from "pg";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";

export type TestDatabase = {
  kind: "pglite" | "postgres";
  /** A fresh, migrated database. */
  create(): Promise<Db>;
  /** A fresh, empty database and its URL (Postgres only), for tests that open it more than once. */
  createEmptyUrl?(): Promise<string>;
  cleanup(): Promise<void>;
};

function adminUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function postgresDatabase(baseUrl: string): TestDatabase {
  const created: string[] = [];
  const opened: Db[] = [];
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const createEmptyUrl = async () => {
    const name = `offload_test_${crypto.randomBytes(6).toString("hex")}`;
    await admin(`create database "${name}"`);
    created.push(name);
    return adminUrl(baseUrl, name);
  };
  return {
    kind: "postgres",
    createEmptyUrl,
    async create() {
      // A test file may hold dozens of databases open at once: a few connections each stay within
      // the server's max_connections (100 by default), even with the gateway's parallel reads.
      const db = await openDb({ databaseUrl: await createEmptyUrl(), poolMax: 3 });
      opened.push(db);
      await applyMigrations(db);
      return db;
    },
    async cleanup() {
      await Promise.all(opened.map((db) => db.close().catch(() => {})));
      for (const name of created) await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}

function pgliteDatabase(): TestDatabase {
  const opened: Db[] = [];
  return {
    kind: "pglite",
    async create() {
      const db = await openDb({ inMemory: true });
      opened.push(db);
      await applyMigrations(db);
      return db;
    },
    async cleanup() {
      await Promise.all(opened.map((db) => db.close().catch(() => {})));
    },
  };
}

/** The databases this run tests against: PGlite, plus Postgres when TEST_DATABASE_URL is set. */
export function testDatabases(): TestDatabase[] {
  const list = [pgliteDatabase()];
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (url) list.push(postgresDatabase(url));
  return list;
}
