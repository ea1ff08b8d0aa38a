// `npm start`: check the environment and the database, build on first start, then run the
// production server. Problems end here with one line, not a stack trace.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { describeExposure, readEnv } from "@/server/process/env";
import { checkPgliteFolder, resolveDataDir, secureDataDir } from "@/server/db/data-dir";
import { isProcessAlive, readLockOwner } from "@/server/db/data-dir-lock";
import { describePostgresUrl } from "@/server/db/client";
import { buildIsStale } from "./build-freshness";

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

/**
 * V8's heap for the server process, unless NODE_OPTIONS sets them (the operator's word wins).
 * Node sizes the old space from the machine's memory (about 4 GB on a 24 GB machine), and with
 * that much room V8 lets the heap grow to four times what is live before collecting: under a
 * steady load the server's heap sat at 550 MB with 130-150 MB live. A 1 GB ceiling caps that
 * growth factor at about 1.6 (V8 scales it down for ceilings under 2 GB) and still leaves six times the
 * live heap for bursts and for turns queued while the database is away. A smaller young
 * generation (8 MB semi-spaces instead of 16) keeps another 16 MB out of the resident set, for
 * twice as many scavenges (their cost not measured separately). See docs/benchmarks.md, Memory.
 */
const SERVER_MAX_OLD_SPACE_MB = 1024;
const SERVER_MAX_SEMI_SPACE_MB = 8;

/** The node flags the server runs with. */
function serverNodeFlags(nodeOptions = ""): string[] {
  const flags: string[] = [];
  if (!/--max-old-space-size\b/.test(nodeOptions)) flags.push(`--max-old-space-size=${SERVER_MAX_OLD_SPACE_MB}`);
  if (!/--max-semi-space-size\b/.test(nodeOptions)) flags.push(`--max-semi-space-size=${SERVER_MAX_SEMI_SPACE_MB}`);
  return flags;
}

/** Runs node with these arguments in the project folder, passing SIGINT/SIGTERM on; resolves with its exit code. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
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
  // (Offload's own handler in server/runtime/boot.ts drains the gateway and closes the database on SIGTERM/SIGINT.)
  const serverEnv = {
    ...process.env,
    PORT: String(env.PORT),
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    // glibc gives every thread that allocates its own malloc arena (up to 8 per core), each kept
    // resident once touched (before: four arenas of 20-40 MB beside the main heap); the server's
    // JavaScript runs on one thread. No effect with other C libraries.
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
  };
  if (buildIsStale(root)) {
    const first = !fs.existsSync(path.join(root, ".next", "BUILD_ID"));
    console.log(
      `offload: ${first ? "first start" : "the sources changed since the last build"}, building the dashboard (a minute or two)…`,
    );
    const code = await run([nextBin, "build"], serverEnv);
    if (code !== 0) fail("the build failed; see the output above", code);
  }
  // The server (serve.ts: the agent endpoints ahead of Next.js, the rest through it) in a child
  // process under plain node with tsx's loader; see serve-main.ts for why not in this one.
  process.exit(
    await run(
      [
        ...serverNodeFlags(process.env.NODE_OPTIONS),
        "--import",
        path.join(root, "server", "runtime", "register.mjs"),
        path.join(root, "server", "runtime", "serve-main.ts"),
      ],
      serverEnv,
    ),
  );
}

void main();
