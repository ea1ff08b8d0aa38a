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
