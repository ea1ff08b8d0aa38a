// The first step of `npm start` (server/runtime/launch.mjs runs it, then the server): check the
// environment and the database, and build the dashboard on first start. Problems end here with one
// line and a non-zero exit code, not a stack trace; exit code 0 means the server may start.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { describeExposure, readEnv } from "@/server/process/env";
import { checkPgliteFolder, resolveDataDir, secureDataDir } from "@/server/db/data-dir";
import { isProcessAlive, readLockOwner } from "@/server/db/data-dir-lock";
import { describePostgresUrl } from "@/server/db/client";
import { buildIsStale } from "./build-freshness";
import { runNode as run } from "./run-node.mjs";

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, "..", "..");
const nextBin = require.resolve("next/dist/bin/next");

function fail(message: string, code = 1): never {
  console.error(`offload: ${message}`);
  process.exit(code);
}

async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(`cannot reach the database at ${describePostgresUrl(url)} (DATABASE_URL): ${e.code ?? e.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

function checkEmbedded(dataDir: string): void {
  const paths = resolveDataDir(dataDir);
  checkPgliteFolder(paths.pglite);
  fs.mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const owner = readLockOwner(paths.lockFile);
  if (owner && owner.pid !== process.pid && isProcessAlive(owner.pid)) {
    let where = "";
    try {
      where = ` at ${(JSON.parse(fs.readFileSync(paths.serverFile, "utf8")) as { url: string }).url}`;
    } catch {
      // no contact file
    }
    fail(
      owner.role === "server"
        ? `Offload is already running on ${paths.root} (pid ${owner.pid})${where}`
        : `an offload command (pid ${owner.pid}) is using ${paths.root}; start again when it has finished`,
    );
  }
}

async function main() {
  let env;
  try {
    env = readEnv();
  } catch (err) {
    fail((err as Error).message, 2);
  }
  try {
    // The data folder (embedded database, spool, session secret, the CLI's credential) is its owner's
    // only: what is not is fixed and said; what cannot be fixed stops the start.
    const secured = secureDataDir(resolveDataDir(env.OFFLOAD_DATA_DIR).root);
    if (secured.changed) console.log(`offload: ${secured.summary}`);
    if (env.DATABASE_URL) await checkPostgres(env.DATABASE_URL);
    else checkEmbedded(env.OFFLOAD_DATA_DIR);
  } catch (err) {
    fail((err as Error).message);
  }
  console.log(`offload: ${describeExposure(env)}`);
  if (buildIsStale(root)) {
    const first = !fs.existsSync(path.join(root, ".next", "BUILD_ID"));
    console.log(
      `offload: ${first ? "first start" : "the sources changed since the last build"}, building the dashboard (a minute or two)…`,
    );
    const code = await run([nextBin, "build"], {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
    });
    if (code !== 0) fail("the build failed; see the output above", code);
  }
  // launch.mjs starts the server next (Offload's own handler in server/runtime/boot.ts drains the
  // gateway and closes the database on SIGTERM/SIGINT).
}

void main().then(() => process.exit(0));
