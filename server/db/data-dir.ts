// Where the embedded database and the running server's contact file live.
import fs from "node:fs";
import path from "node:path";

export type DataDirPaths = {
  root: string;
  pglite: string;
  lockFile: string;
  serverFile: string;
};

export function resolveDataDir(dataDir: string): DataDirPaths {
  const root = path.resolve(dataDir);
  return {
    root,
    pglite: path.join(root, "pglite"),
    lockFile: path.join(root, "offload.lock"),
    serverFile: path.join(root, "server.json"),
  };
}

export class DataDirError extends Error {
  override name = "DataDirError";
}

/** Postgres major version of the PGlite build we ship. */
const PGLITE_PG_MAJOR = "18";

/**
 * Refuses a folder that is not a PGlite data folder of our Postgres major version, instead of
 * letting PGlite fail deep inside WASM or, worse, initialise over it.
 */
export function checkPgliteFolder(dir: string): "new" | "existing" {
  if (!fs.existsSync(dir)) return "new";
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return "new";
  const versionFile = path.join(dir, "PG_VERSION");
  if (!fs.existsSync(versionFile)) {
    throw new DataDirError(
      `The embedded database folder ${dir} is not a PGlite data folder (no PG_VERSION) or is corrupted. ` +
        `Move it aside or set OFFLOAD_DATA_DIR to another folder; Offload never overwrites it.`,
    );
  }
  const version = fs.readFileSync(versionFile, "utf8").trim();
  if (version !== PGLITE_PG_MAJOR) {
    throw new DataDirError(
      `The embedded database folder ${dir} was written by Postgres ${version}, this Offload embeds Postgres ${PGLITE_PG_MAJOR}. ` +
        `Open it with the Offload version that made it, or move it aside.`,
    );
  }
  return "existing";
}

export type SecureReport = {
  /** Entries whose mode was changed. */
  changed: number;
  /** One line for the log ("" when nothing changed). */
  summary: string;
};

/**
 * Makes the data folder and everything in it its owner's only: folders 0700, files 0600 (PGlite
 * creates its files world-writable, 0666). Only entries that group or others could use are changed;
 * symbolic links are left alone (never followed). Throws DataDirError naming the entry when one
 * cannot be fixed (another user's file, a read-only file system): Offload then refuses to start.
 * A folder that does not exist yet is fine (nothing to protect).
 */
export function secureDataDir(root: string): SecureReport {
  const dir = path.resolve(root);
  let changed = 0;
  const fix = (entry: string, stat: fs.Stats) => {
    if ((stat.mode & 0o077) === 0) return;
    const mode = stat.isDirectory() ? 0o700 : 0o600;
    try {
      fs.chmodSync(entry, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // removed while we looked
      throw new DataDirError(
        `cannot make ${entry} private to its owner (mode ${(stat.mode & 0o777).toString(8)}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. ` +
          `Fix its owner or mode (chmod ${mode.toString(8)}) and start again.`,
      );
    }
    changed++;
  };
  const walk = (folder: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new DataDirError(`cannot read ${folder}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) continue;
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(full);
      } catch {
        continue; // removed while we looked (PGlite's temporary files)
      }
      fix(full, stat);
      if (stat.isDirectory()) walk(full);
    }
  };
  let rootStat: fs.Stats;
  try {
    rootStat = fs.lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { changed: 0, summary: "" };
    throw err;
  }
  if (!rootStat.isDirectory()) throw new DataDirError(`the data folder ${dir} (OFFLOAD_DATA_DIR) is not a folder`);
  fix(dir, rootStat);
  walk(dir);
  return {
    changed,
    summary: changed
      ? `made ${changed} entr${changed === 1 ? "y" : "ies"} of the data folder ${dir} private to its owner (folders 0700, files 0600)`
      : "",
  };
}
