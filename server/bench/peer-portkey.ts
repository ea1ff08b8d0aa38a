// A peer gateway for `npm run bench -- --gateway --peer portkey`: Portkey's open-source AI gateway
// (@portkey-ai/gateway, a Hono app on @hono/node-server), installed from the npm registry into the
// bench cache the first time (not a dependency of Offload), run as a node server on a free loopback
// port and pointed at the bench's fake Anthropic: `x-portkey-provider: anthropic` with
// `x-portkey-custom-host: <fake>/v1` (its Anthropic base URL includes /v1; loopback is one of its
// trusted custom hosts by default), the key as `x-api-key`. It persists nothing in this setup.
//
// One shim: on Node 20 its streaming path fails (500, "TypeError: immutable") because it appends
// its x-portkey-* headers to the upstream fetch Response's headers, which undici makes immutable,
// and @hono/node-server's lightweight Response (1.19.x) keeps that Headers object. A preloaded
// module (FETCH_SHIM) hands Portkey each upstream answer as a fresh Response over the same body
// stream (mutable headers; no bytes copied), which is what its code expects.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/server/testing/start-server";

export const PORTKEY_VERSION = "1.15.2";
const PACKAGE = "@portkey-ai/gateway";
const READY_TIMEOUT_MS = 60_000;

export type PeerGateway = {
  name: string;
  version: string;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The gateway's own process (for its RSS and CPU time). */
  pid: number;
  /** Headers every request to it carries besides the Anthropic ones (which upstream, which key). */
  headers(apiKey: string): Record<string, string>;
  stop(): Promise<void>;
};

/** The bench cache: OFFLOAD_BENCH_CACHE, else ~/.cache/offload/bench (XDG_CACHE_HOME honoured). */
export function benchCacheDir(): string {
  if (process.env.OFFLOAD_BENCH_CACHE) return process.env.OFFLOAD_BENCH_CACHE;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cache, "offload", "bench");
}

/** Installs the pinned version into the cache unless it is there already; returns the package's folder. */
function ensurePortkey(): string {
  const prefix = path.join(benchCacheDir(), "portkey");
  const dir = path.join(prefix, "node_modules", ...PACKAGE.split("/"));
  try {
    const installed = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string };
    if (installed.version === PORTKEY_VERSION) return dir;
  } catch {
    // not installed yet
  }
  fs.mkdirSync(prefix, { recursive: true });
  console.log(`Installing ${PACKAGE}@${PORTKEY_VERSION} into ${prefix} (once)…`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(
    npm,
    ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", `${PACKAGE}@${PORTKEY_VERSION}`],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error(`npm install ${PACKAGE}@${PORTKEY_VERSION} failed (${result.status})`);
  return dir;
}

const FETCH_SHIM = `// Written by Offload's bench (server/bench/peer-portkey.ts): see there.
const UpstreamResponse = globalThis.Response;
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const res = await upstreamFetch(...args);
  return new UpstreamResponse(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
};
`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts Portkey's gateway as a node server forwarding Anthropic requests to `upstreamUrl`. */
export async function startPortkey(upstreamUrl: string): Promise<PeerGateway> {
  const dir = ensurePortkey();
  const port = await freePort();
  const shim = path.join(path.dirname(path.dirname(path.dirname(dir))), "offload-fetch-shim.mjs");
  fs.writeFileSync(shim, FETCH_SHIM);
  const args = ["--import", shim, path.join(dir, "build", "start-server.js"), `--port=${port}`, "--headless"];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    // production: no log console UI; its request log stays in memory for log-stream clients only.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (gone) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`Portkey's gateway exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Portkey's gateway did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await sleep(200);
  }
  return {
    name: "Portkey",
    version: PORTKEY_VERSION,
    url,
    pid: child.pid!,
    headers: (apiKey) => ({
      "x-portkey-provider": "anthropic",
      "x-portkey-custom-host": `${upstreamUrl}/v1`,
      "x-api-key": apiKey,
    }),
    stop,
  };
}
