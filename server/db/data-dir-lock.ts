// PGlite lets any number of processes open one folder and corrupts it when they do. Offload keeps
// one owner at a time with a lock file naming the owning process; a dead owner's lock is taken over.
import fs from "node:fs";
import path from "node:path";

export type LockOwner = { pid: number; role: "server" | "cli"; startedAt: string };

export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
  constructor(
    message: string,
    readonly owner: LockOwner,
  ) {
    super(message);
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLockOwner(lockFile: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(lockFile, "utf8")) as LockOwner;
    return typeof owner.pid === "number" ? owner : null;
  } catch {
    return null;
  }
}

/** Takes the lock or throws DataDirBusyError naming the live owner. Returns a release function. */
export function acquireDataDirLock(lockFile: string, role: LockOwner["role"]): () => void {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const me: LockOwner = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockFile, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const owner = readLockOwner(lockFile);
        if (owner?.pid === process.pid) fs.rmSync(lockFile, { force: true });
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = readLockOwner(lockFile);
      if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid)) {
        throw new DataDirBusyError(
          `The embedded database in ${path.dirname(lockFile)} is in use by ${owner.role === "server" ? "the Offload server" : "another offload command"} (pid ${owner.pid}).`,
          owner,
        );
      }
      // Stale lock of a process that died (or a half-written one): take it over.
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockFile}`);
}
