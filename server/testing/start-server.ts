// Test helper: boots the real server (`npm start`'s script) on a free port with a throwaway
// embedded data folder, for end-to-end tests. Builds first (once, under a lock shared by test
// files running at the same time) when there is no build yet.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { buildIsStale } from "@/server/runtime/build-freshness";

export type StartedServer = {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  dataDir: string;
  port: number;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  logs(): string;
  /** Stops the server (and next's child process) and removes the data folder. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (no drain, no cleanup) and keeps the data folder, as a crash would. */
  crash(): Promise<void>;
};

export type StartServerOptions = {
  /** Extra environment for the server. DATABASE_URL, OFFLOAD_ADMIN_TOKEN, OFFLOAD_HOST and OFFLOAD_ALLOWED_HOSTS are only passed when given here. */
  env?: Record<string, string>;
  /** An existing data folder to start on (a restart after crash()), kept on stop; a fresh one when absent. */
  dataDir?: string;
};

const root = path.resolve(import.meta.dirname, "..", "..");
const testDataRoot = path.join(root, ".test-data");
const buildLock = path.join(testDataRoot, "build.lock");
const nextCli = path.join(root, "node_modules", "next", "dist", "bin", "next");

const HEALTH_TIMEOUT_MS = 280_000;
const POLL_MS = 500;
const STOP_GRACE_MS = 10_000;
const LOCK_STALE_MS = 10 * 60_000;
const MAX_LOG_CHARS = 2_000_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a listening socket"));
        return;
      }
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}

function collect(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    if (text.length > MAX_LOG_CHARS) text = text.slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the build lock: an exclusive file holding our pid; stale after 10 minutes or when its owner is gone. */
async function acquireBuildLock(): Promise<void> {
  fs.mkdirSync(testDataRoot, { recursive: true });
  for (;;) {
    try {
      const fd = fs.openSync(buildLock, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    try {
      const stat = fs.statSync(buildLock);
      const owner = Number(fs.readFileSync(buildLock, "utf8").trim());
      const ownerGone = Number.isInteger(owner) && owner > 0 && !isAlive(owner);
      if (Date.now() - stat.mtimeMs > LOCK_STALE_MS || ownerGone) fs.rmSync(buildLock, { force: true });
    } catch {
      // the lock went away between our attempts; retry at once below
    }
    await sleep(1_000);
  }
}

function releaseBuildLock(): void {
  try {
    if (fs.readFileSync(buildLock, "utf8").trim() === String(process.pid)) fs.rmSync(buildLock, { force: true });
  } catch {
    // already gone
  }
}

function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextCli, "build"], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logs = collect(child);
    child.on("error", (err) => reject(new Error(`next build could not start: ${err.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`next build failed (${signal ?? `exit ${code}`}):\n${logs()}`));
    });
  });
}

/** Builds the app once when there is no build or it is older than the sources; concurrent callers wait on the lock and then find the build done. */
export async function ensureBuilt(): Promise<void> {
  if (!buildIsStale(root)) return;
  await acquireBuildLock();
  try {
    if (buildIsStale(root)) await runBuild();
  } finally {
    releaseBuildLock();
  }
}

export async function startServer(options: StartServerOptions = {}): Promise<StartedServer> {
  await ensureBuilt();

  fs.mkdirSync(testDataRoot, { recursive: true });
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(testDataRoot, "server-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.OFFLOAD_ADMIN_TOKEN;
  delete env.OFFLOAD_HOST;
  delete env.OFFLOAD_ALLOWED_HOSTS;
  Object.assign(env, { PORT: String(port), OFFLOAD_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" }, options.env);

  // As `npm start` runs it: the launcher, which runs the checks and then the server.
  const child = spawn(process.execPath, ["server/runtime/launch.mjs"], {
    cwd: root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = collect(child);
  // Set from the child's events; an object so that TypeScript does not narrow it away.
  const state: { exit: Exit | null; spawnError: Error | null } = { exit: null, spawnError: null };
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      state.exit = { code, signal };
      resolve();
    });
    child.on("error", (err) => {
      state.spawnError = err;
      if (child.pid === undefined) {
        state.exit = { code: null, signal: null };
        resolve();
      }
    });
  });

  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!state.exit) {
      killGroup("SIGTERM");
      const timer = setTimeout(() => killGroup("SIGKILL"), STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    // next's own child may outlive the tsx parent for a moment; make sure the group is gone.
    killGroup("SIGKILL");
    // A folder the caller passed in is the caller's to remove.
    if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };

  const crash = async () => {
    stopped = true;
    killGroup("SIGKILL");
    await exitPromise;
    // Until every process of the group is gone (the data folder's lock names one of them).
    for (let i = 0; i < 200 && child.pid !== undefined; i++) {
      try {
        process.kill(-child.pid, 0);
      } catch {
        break;
      }
      await sleep(25);
    }
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (state.exit) {
      const how = state.spawnError ? `could not start: ${state.spawnError.message}` : describeExit(state.exit);
      await stop();
      throw new Error(`the server ${how} before it was ready. Its output:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the server was not healthy after ${HEALTH_TIMEOUT_MS / 1000} s at ${url}/api/health. Its output:\n${logs()}`,
      );
    }
    await sleep(POLL_MS);
  }

  return { url, dataDir, port, logs, stop, crash };
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

function describeExit(exit: Exit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
