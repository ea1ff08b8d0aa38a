import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDb } from "./client";
import { checkPgliteFolder, DataDirError, resolveDataDir, secureDataDir } from "./data-dir";
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

  it("makes the folder and everything in it owner-only (PGlite creates its files world-writable)", async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755);
    const db = await openDb({ dataDir: root });
    await db.sql.exec(`create table kept (v int); insert into kept values (42);`);
    await db.close();
    fs.writeFileSync(path.join(root, "server.json"), "{}", { mode: 0o644 });
    fs.symlinkSync("/etc/hostname", path.join(root, "link"));
    const modes = () =>
      listTree(root)
        .filter((entry) => entry !== "link")
        .map((entry) => fs.lstatSync(path.join(root, entry)).mode & 0o777);
    // The finding: most of PGlite's files are readable and writable by anyone.
    expect(modes().filter((mode) => mode === 0o666).length).toBeGreaterThan(500);

    const report = secureDataDir(root);
    expect(report.changed).toBeGreaterThan(500);
    expect(report.summary).toContain(root);
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    for (const entry of listTree(root).filter((e) => e !== "link")) {
      const stat = fs.lstatSync(path.join(root, entry));
      expect(stat.mode & 0o077, entry).toBe(0);
      expect(stat.mode & 0o777, entry).toBe(stat.isDirectory() ? 0o700 : 0o600);
    }
    expect(fs.statSync("/etc/hostname").mode & 0o077).not.toBe(0); // a link's target is not touched
    expect(secureDataDir(root)).toEqual({ changed: 0, summary: "" }); // nothing left to fix

    // The data is still there.
    const again = await openDb({ dataDir: root });
    expect(await again.sql.query(`select v from kept`)).toEqual([{ v: 42 }]);
    await again.close();
  });

  it("refuses, naming the entry, when a mode cannot be fixed; a missing folder is fine", () => {
    const root = tempDir();
    fs.chmodSync(root, 0o700);
    fs.writeFileSync(path.join(root, "theirs"), "x");
    fs.chmodSync(path.join(root, "theirs"), 0o666);
    // As another user's file would: chmod is not permitted.
    const chmod = vi.spyOn(fs, "chmodSync").mockImplementation(() => {
      throw Object.assign(new Error("operation not permitted"), { code: "EPERM" });
    });
    try {
      expect(() => secureDataDir(root)).toThrow(DataDirError);
      expect(() => secureDataDir(root)).toThrow(new RegExp(`cannot make ${path.join(root, "theirs")} private.*EPERM`));
    } finally {
      chmod.mockRestore();
    }
    expect(secureDataDir(path.join(root, "missing"))).toEqual({ changed: 0, summary: "" });
  });
});
