// The embedded database on its own thread (pglite-thread.ts) behaves as PGlite in the caller's
// thread: the same folder, results, transactions, errors and locks; and it holds no process open.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, type Db } from "./client";
import { applyMigrations } from "./migrate";
import { ThreadedPGlite, ThreadStartError } from "./pglite-thread";
import { recordTurns } from "./record-turns";
import { testTurn } from "@/server/testing/turn-fixture";

const opened: Db[] = [];
const folders: string[] = [];

async function open(dataDir: string, ownThread: boolean): Promise<Db> {
  const db = await openDb({ dataDir, ownThread, role: "server" });
  opened.push(db);
  return db;
}

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-pglite-thread-"));
  folders.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close().catch(() => {})));
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` with OFFLOAD_ROOT (where the thread's script is found) set to `root`. */
async function withRoot<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.OFFLOAD_ROOT;
  process.env.OFFLOAD_ROOT = root;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.OFFLOAD_ROOT;
    else process.env.OFFLOAD_ROOT = before;
  }
}

/** The driver's error of a failed call (what the turn writer reads its SQLSTATE from). */
async function failure(promise: Promise<unknown>): Promise<{ code?: string; severity?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; severity?: string; message: string };
  }
  throw new Error("expected the call to fail");
}

describe("PGlite on a thread of its own", () => {
  it("stores in the same folder format as PGlite in this thread, through Prisma and plain SQL", async () => {
    const dir = folder();
    const threaded = await open(dir, true);
    await applyMigrations(threaded);
    await threaded.prisma.agent.create({ data: { id: "scout", name: "Scout" } });
    await threaded.sql.query(`insert into "Agent" (id, name) values ($1, $2)`, ["lamp", "Lamp"]);
    const viaPrisma = await threaded.prisma.agent.findMany({
      orderBy: { id: "asc" },
      select: { id: true, createdAt: true },
    });
    expect(viaPrisma.map((a) => a.id)).toEqual(["lamp", "scout"]);
    expect(viaPrisma[0]!.createdAt).toBeInstanceOf(Date);
    await threaded.close();
    opened.length = 0;

    const inThread = await open(dir, false);
    const rows = await inThread.sql.query<{ id: string; name: string }>(`select id, name from "Agent" order by id`);
    expect(rows).toEqual([
      { id: "lamp", name: "Lamp" },
      { id: "scout", name: "Scout" },
    ]);
  });

  it("commits a transaction, rolls one back on error, and keeps other statements out until it ends", async () => {
    const db = await open(folder(), true);
    await db.sql.exec("create table t (x int primary key)");
    await db.sql.transaction(async (tx) => {
      await tx.query("insert into t values ($1)", [1]);
      await tx.query("insert into t values ($1)", [2]);
    });
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query("insert into t values ($1)", [3]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const tx = db.sql.transaction(async (t) => {
      await t.query("insert into t values ($1)", [4]);
      await held;
      order.push("commit");
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = db.sql.query<{ n: number }>("select count(*)::int as n from t").then((rows) => {
      order.push("outside");
      return rows[0]!.n;
    });
    await new Promise((r) => setTimeout(r, 50));
    release();
    await tx;
    // The statement outside waited for the transaction, and saw its row.
    expect(await outside).toBe(3);
    expect(order).toEqual(["commit", "outside"]);

    // Prisma's interactive transactions too.
    await expect(
      db.prisma.$transaction(async (p) => {
        await p.$executeRawUnsafe("insert into t values (5)");
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(await db.sql.query("select x from t order by x")).toEqual([{ x: 1 }, { x: 2 }, { x: 4 }]);
  });

  it("records a batch of turns in the writer's large statements, each turn once in every table", async () => {
    const db = await open(folder(), true);
    await applyMigrations(db);
    await db.sql.query(`insert into "Agent" (id, name) values ('loash', 'Loash'), ('scout', 'Scout')`);
    // 2,500 turns: more than one of the writer's 1,000-row statements, over two agents and two days.
    const day = Date.UTC(2026, 10, 30, 12);
    const turns = Array.from({ length: 2_500 }, (_, i) =>
      testTurn({ agentId: i % 2 ? "scout" : "loash", startedAt: new Date(day - (i % 2) * 86_400_000) }),
    );
    await recordTurns(db, turns);
    const [counts] = await db.sql.query<{ turns: number; daily: number; total: number }>(
      `select (select count(*)::int from "Turn") as turns,
              (select sum(turns)::int from "DailyUsage") as daily,
              (select sum(turns)::int from "DailyUsageTotal" where dimension = 'agent') as total`,
    );
    expect(counts).toEqual({ turns: 2_500, daily: 2_500, total: 2_500 });
  });

  it("raises the database's own errors, with their SQLSTATE, and goes on serving", async () => {
    const db = await open(folder(), true);
    await db.sql.exec("create table t (x int primary key)");
    await db.sql.query("insert into t values (1)");
    const duplicate = await failure(db.sql.query("insert into t values (1)"));
    expect(duplicate).toMatchObject({ code: "23505", severity: "ERROR" });
    const missing = await failure(db.sql.transaction((tx) => tx.query("select * from nowhere")));
    expect(missing).toMatchObject({ code: "42P01" });
    const viaPrisma = await failure(db.prisma.$executeRawUnsafe("insert into t values (1)"));
    expect(viaPrisma.message).toContain("23505");
    expect(await db.sql.query("select x from t")).toEqual([{ x: 1 }]);
  });

  it("answers statements sent together in the order they were sent", async () => {
    const db = await open(folder(), true);
    await db.sql.exec("create table t (n serial primary key, x int)");
    // Inserts and counts interleaved, none awaited before the next is sent: each count sees exactly
    // the inserts sent before it, and the rows are numbered in the order the inserts were sent.
    const counts: Promise<{ c: number }[]>[] = [];
    const inserts: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      inserts.push(db.sql.query("insert into t (x) values ($1)", [i]));
      counts.push(db.sql.query<{ c: number }>("select count(*)::int as c from t"));
    }
    await Promise.all(inserts);
    expect((await Promise.all(counts)).map((rows) => rows[0]!.c)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const rows = await db.sql.query<{ x: number }>("select x from t order by n");
    expect(rows.map((r) => r.x)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("refuses every call once closed, naming why", async () => {
    const db = await ThreadedPGlite.create();
    expect((await db.query<{ one: number }>("select 1 as one")).rows).toEqual([{ one: 1 }]);
    await db.close();
    expect(db.closed).toBe(true);
    await expect(db.query("select 1")).rejects.toThrow("the embedded database is closed");
  });

  it("fails every pending and later call, and tells its owner once, when its thread stops on its own", async () => {
    // A project folder whose host is the real one, except that it ends its thread on a marked statement.
    const root = folder();
    fs.mkdirSync(path.join(root, "server", "db"), { recursive: true });
    fs.writeFileSync(
      path.join(root, "server", "db", "pglite-host.mjs"),
      `import { parentPort } from "node:worker_threads";\n` +
        `parentPort.on("message", (m) => { if (m.bytes && Buffer.from(m.bytes).includes("end_this_thread")) process.exit(3); });\n` +
        `await import(${JSON.stringify(pathToFileURL(path.resolve("server/db/pglite-host.mjs")).href)});\n`,
    );
    const lost: string[] = [];
    const db = await withRoot(root, () => ThreadedPGlite.create({ onLost: (err) => lost.push(err.message) }));
    expect((await db.query<{ one: number }>("select 1 as one")).rows).toEqual([{ one: 1 }]);
    const pending = db.query("select 'end_this_thread'");
    await expect(pending).rejects.toThrow("the embedded database's thread stopped (exit code 3)");
    await expect(db.query("select 1")).rejects.toThrow("exit code 3");
    expect(lost).toEqual(["the embedded database's thread stopped (exit code 3)"]);
    await db.close();
    expect(lost).toHaveLength(1);
  });

  it("says the thread could not start, not that the folder is damaged, when its script is missing", async () => {
    const err = await failure(withRoot(folder(), () => open(folder(), true)));
    expect(err).toBeInstanceOf(ThreadStartError);
    expect(err.message).toContain("the embedded database's thread could not start");
    expect(err.message).not.toContain("corrupted");
  });

  it("does not keep a process alive that forgot to close it", () => {
    const script = path.join(folder(), "forget.mts");
    fs.writeFileSync(
      script,
      `import { ThreadedPGlite } from ${JSON.stringify(path.resolve("server/db/pglite-thread.ts"))};\n` +
        `const db = await ThreadedPGlite.create();\n` +
        `console.log(JSON.stringify((await db.query("select 41 + 1 as n")).rows));\n`,
    );
    const run = spawnSync(process.execPath, ["--import", "./server/runtime/register.mjs", script], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(JSON.stringify([{ n: 42 }]));
    expect(run.status).toBe(0);
  });
});
