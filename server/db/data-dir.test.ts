import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "./client";
import { checkPgliteFolder, DataDirError, resolveDataDir } from "./data-dir";
import { acquireDataDirLock, DataDirBusyError } from "./data-dir-lock";

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-datadir-"));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function listTree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("the embedded database folder", () => {
  it("refuses a folder that is not a PGlite data folder, naming it, and leaves it untouched", async () => {
    const root = tempDir();
    const { pglite } = resolveDataDir(root);
    fs.mkdirSync(pglite, { recursive: true });
    fs.writeFileSync(path.join(pglite, "notes.txt"), "mine");
    const before = listTree(root);
    await expect(openDb({ dataDir: root })).rejects.toThrow(new RegExp(`${pglite}.*not a PGlite data folder`));
    expect(listTree(root)).toEqual(before);
  });

  it("refuses a folder written by another Postgres major version", () => {
    const root = tempDir();
    const { pglite } = resolveDataDir(root);
    fs.mkdirSync(pglite, { recursive: true });
    fs.writeFileSync(path.join(pglite, "PG_VERSION"), "99\n");
    expect(() => checkPgliteFolder(pglite)).toThrow(DataDirError);
    expect(() => checkPgliteFolder(pglite)).toThrow(/written by Postgres 99/);
  });

  it("reports a corrupted folder clearly and never recreates it", async () => {
    const root = tempDir();
    const { pglite } = resolveDataDir(root);
    fs.mkdirSync(path.join(pglite, "base"), { recursive: true });
    fs.writeFileSync(path.join(pglite, "PG_VERSION"), "18\n");
    fs.writeFileSync(path.join(pglite, "base", "junk"), "not a relation");
    const before = listTree(root);
    await expect(openDb({ dataDir: root })).rejects.toThrow(
      new RegExp(`cannot open the embedded database in ${pglite}`),
    );
    expect(listTree(root)).toEqual(before);
  });

  it("lets one process hold the folder and takes over the lock of a dead one", () => {
    const root = tempDir();
    const { lockFile } = resolveDataDir(root);
    // A lock left by a process that no longer exists is stale.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 22 + 12345, role: "server", startedAt: "" }));
    const release = acquireDataDirLock(lockFile, "cli");
    // A live owner (here the test's own parent process) keeps it.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, role: "server", startedAt: "" }));
    expect(() => acquireDataDirLock(lockFile, "cli")).toThrow(DataDirBusyError);
    expect(() => acquireDataDirLock(lockFile, "cli")).toThrow(/in use by the Offload server/);
    fs.rmSync(lockFile);
    release();
  });

  it("opens, closes and reopens a real folder, keeping its data", async () => {
    const root = tempDir();
    const first = await openDb({ dataDir: root });
    await first.sql.exec(`create table kept (v int); insert into kept values (42);`);
    await first.close();
    expect(fs.existsSync(resolveDataDir(root).lockFile)).toBe(false);
    const second = await openDb({ dataDir: root });
    expect(await second.sql.query(`select v from kept`)).toEqual([{ v: 42 }]);
    await second.close();
  });
});
