// The gateway's added latency: the same Anthropic request sent straight to a fake Claude and
// through Offload (the production server, on loopback, a Claude-pinned agent), sequentially and at
// increasing concurrency, in one run. Also checks that every turn sent was recorded, and shows
// what answering the agent endpoints ahead of Next.js saves: a request Offload answers at once
// (a wrong key: 401), on the direct path, against Next's cheapest route (GET /api/health).
// With `--peer portkey` (or `--runs N`), a side-by-side over repeated runs: direct, Offload and the
// peer gateway (peer-portkey.ts) driven with the same requests, JSON and streaming, sequential and
// at 10 and 50 concurrent; each gateway's added latency, throughput, CPU per request and RSS.
import fs from "node:fs";
import path from "node:path";
import { startServer } from "@/server/testing/start-server";
import { startFakeAnthropic } from "@/server/testing/fake-anthropic";
import { serveHandlers } from "@/server/testing/serve-handlers";
import { testDatabases } from "@/server/testing/test-databases";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { configureTurnWriter, flushTurns } from "@/server/gateway/turn-writer";
import { percentile as pct } from "@/server/core/stats";
import { resetEnv } from "@/server/process/env";
import { benchCacheDir, startPortkey, type PeerGateway } from "./peer-portkey";
import { compareGateways, timed, type SideBySideTarget } from "./peer-compare";

export type GatewayBenchOptions = {
  /** Peer gateways to drive beside Offload (`--peer portkey`). */
  peers: string[];
  /** Repetitions of the side-by-side (`--runs N`); 0: no side-by-side. */
  runs: number;
};

/**
 * A preload for the server that profiles it from its start; each SIGUSR2 writes what was profiled
 * since the last one into the folder (server-<pid>-<n>.cpuprofile, then done-<pid>-<n>) and starts again.
 */
const PROFILER = `import fs from "node:fs";
import path from "node:path";
import inspector from "node:inspector";
if (process.argv[1]?.endsWith("serve-main.ts")) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 200 });
  session.post("Profiler.start");
  let n = 0;
  process.on("SIGUSR2", () => {
    session.post("Profiler.stop", (err, result) => {
      if (err) return console.error("offload bench profiler: " + err.message);
      const dir = process.env.OFFLOAD_BENCH_CPU_PROF;
      const name = process.pid + "-" + ++n;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "server-" + name + ".cpuprofile"), JSON.stringify(result.profile));
      fs.writeFileSync(path.join(dir, "done-" + name), "");
      session.post("Profiler.start");
    });
  });
}
`;

function profilerOptions(): string | null {
  const dir = process.env.OFFLOAD_BENCH_CPU_PROF;
  if (!dir) return null;
  const preload = path.join(benchCacheDir(), "cpu-profile-preload.mjs");
  fs.mkdirSync(path.dirname(preload), { recursive: true });
  fs.writeFileSync(preload, PROFILER);
  return `--import ${preload}`;
}

/** Asks the profiled server to write its profile, and waits (up to 30 s) until it has. */
async function saveProfile(dataDir: string): Promise<void> {
  const dir = process.env.OFFLOAD_BENCH_CPU_PROF!;
  const { pid } = JSON.parse(fs.readFileSync(path.join(dataDir, "server.json"), "utf8")) as { pid: number };
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 300 && !fs.existsSync(path.join(dir, `done-${pid}-1`)); i++)
    await new Promise((r) => setTimeout(r, 100));
  console.log(`CPU profile of the server: ${path.join(dir, `server-${pid}-1.cpuprofile`)}`);
}

const PEERS: Record<string, (upstreamUrl: string) => Promise<PeerGateway>> = { portkey: startPortkey };

export async function benchGateway(options: GatewayBenchOptions = { peers: [], runs: 0 }): Promise<void> {
  for (const name of options.peers)
    if (!PEERS[name]) throw new Error(`unknown peer "${name}"; known: ${Object.keys(PEERS).join(", ")}`);
  const claude = await startFakeAnthropic();
  // OFFLOAD_BENCH_CPU_PROF=<folder>: a CPU profile of the server process (node does not take --cpu-prof in NODE_OPTIONS).
  const nodeOptions = profilerOptions();
  const server = await startServer({
    env: {
      OFFLOAD_DEMO: "off",
      ANTHROPIC_API_KEY: "sk-bench",
      ANTHROPIC_BASE_URL: claude.url,
      OLLAMA_HOST: "http://127.0.0.1:9",
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  const peers: PeerGateway[] = [];
  try {
    const contact = JSON.parse(fs.readFileSync(path.join(server.dataDir, "server.json"), "utf8")) as {
      token: string;
      pid: number;
    };
    const add = await fetch(`${server.url}/api/trpc/agents.add`, {
      method: "POST",
      headers: { authorization: `Bearer ${contact.token}`, "content-type": "application/json" },
      body: JSON.stringify({ json: { id: "bench", pin: "claude" } }),
    });
    const key = ((await add.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
    const body = JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: "review this change" }],
    });
    const post = (base: string, apiKey: string) => async () => {
      const res = await fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body,
      });
      if (res.status !== 200) throw new Error(`${base}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const direct = post(claude.url, "sk-bench");
    const via = post(server.url, key);
    await timed(200, 4, via); // warm up the route and the caches
    await timed(200, 4, direct);

    let sent = 200;
    const rows: Record<string, string | number>[] = [];
    let bestRate = 0;
    for (const concurrency of [1, 10, 25, 50, 100]) {
      const count = concurrency === 1 ? 500 : 2_000;
      const d = await timed(count, concurrency, direct);
      const v = await timed(count, concurrency, via);
      sent += count;
      const addedP50 = pct(v.latencies, 0.5) - pct(d.latencies, 0.5);
      const addedP99 = pct(v.latencies, 0.99) - pct(d.latencies, 0.99);
      if (addedP50 < 10 && addedP99 < 10) bestRate = Math.max(bestRate, v.perSecond);
      rows.push({
        concurrency,
        requests: count,
        "direct p50 ms": pct(d.latencies, 0.5).toFixed(2),
        "via Offload p50 ms": pct(v.latencies, 0.5).toFixed(2),
        "added p50 ms": addedP50.toFixed(2),
        "direct p99 ms": pct(d.latencies, 0.99).toFixed(2),
        "via Offload p99 ms": pct(v.latencies, 0.99).toFixed(2),
        "added p99 ms": addedP99.toFixed(2),
        "via Offload req/s": v.perSecond,
      });
    }
    console.log(
      "\nGateway added latency (Claude lane, fake Claude on loopback; targets: p50 < 1 ms sequential, p99 < 5 ms at 50 concurrent)",
    );
    console.table(rows);
    console.log(
      `Highest rate sustained with p50 and p99 under 10 ms added: ${bestRate ? `${bestRate} req/s` : "none of the levels tried"}`,
    );

    if (options.runs > 0) {
      for (const name of options.peers) peers.push(await PEERS[name]!(claude.url));
      const targets: SideBySideTarget[] = [
        { name: "Offload", url: server.url, pid: contact.pid, headers: { "x-api-key": key } },
        ...peers.map((p) => ({ name: p.name, url: p.url, pid: p.pid, headers: p.headers("sk-bench") })),
      ];
      const result = await compareGateways({ upstream: claude, targets, runs: options.runs });
      sent += result.sentTo.Offload ?? 0;
    }
    // Every turn recorded? The server flushes within a fraction of a second; ask its API (for up to 10 s).
    let turns = 0;
    for (let i = 0; i < 20 && turns < sent; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const overview = await fetch(`${server.url}/api/trpc/fleet.overview`, {
        headers: { authorization: `Bearer ${contact.token}` },
      });
      turns = ((await overview.json()) as { result: { data: { json: { today: { turns: number } } } } }).result.data.json
        .today.turns;
    }
    console.log(
      `Turns sent through Offload: ${sent}; recorded: ${turns}${turns === sent ? " (all)" : " (MISSING TURNS)"}`,
    );

    const refused = async () => {
      const res = await fetch(`${server.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": "ofk_wrong", "content-type": "application/json" },
        body,
      });
      if (res.status !== 401) throw new Error(`wrong key: ${res.status}`);
      await res.arrayBuffer();
    };
    const health = async () => {
      const res = await fetch(`${server.url}/api/health`);
      if (res.status !== 200) throw new Error(`health: ${res.status}`);
      await res.arrayBuffer();
    };
    await timed(100, 1, refused);
    await timed(100, 1, health);
    const r = await timed(500, 1, refused);
    const h = await timed(500, 1, health);
    console.log(
      "\nThe production server's two paths, sequential: an agent endpoint answered ahead of Next.js, and Next's cheapest route",
    );
    console.table([
      {
        path: "POST /v1/messages, wrong key (Offload's listener)",
        "p50 ms": pct(r.latencies, 0.5).toFixed(2),
        "p99 ms": pct(r.latencies, 0.99).toFixed(2),
      },
      {
        path: "GET /api/health (through Next.js)",
        "p50 ms": pct(h.latencies, 0.5).toFixed(2),
        "p99 ms": pct(h.latencies, 0.99).toFixed(2),
      },
    ]);
  } finally {
    if (nodeOptions) await saveProfile(server.dataDir);
    for (const peer of peers) await peer.stop();
    await server.stop();
    await claude.close();
  }
  await benchHandlerAlone();
}

/** Where the added latency comes from: Offload's handler on a bare node:http server, and Next's floor. */
async function benchHandlerAlone(): Promise<void> {
  const claude = await startFakeAnthropic();
  const target = testDatabases()[0]!;
  const db = await target.create();
  const saved = { ...process.env };
  Object.assign(process.env, {
    ANTHROPIC_API_KEY: "sk-bench",
    ANTHROPIC_BASE_URL: claude.url,
    OLLAMA_HOST: "http://127.0.0.1:9",
  });
  resetEnv();
  try {
    await seedCatalogue(db);
    configureTurnWriter(async () => db);
    const { key } = await addAgent(db, { id: "bench", pin: "claude" });
    const offload = await serveHandlers(db);
    const body = JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: "review this change" }],
    });
    const post = (base: string, apiKey: string) => async () => {
      const res = await fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": apiKey, "content-type": "application/json" },
        body,
      });
      if (res.status !== 200) throw new Error(`${base}: ${res.status}`);
      await res.arrayBuffer();
    };
    await timed(200, 1, post(offload.url, key));
    await timed(200, 1, post(claude.url, "sk-bench"));
    const d = await timed(500, 1, post(claude.url, "sk-bench"));
    const v = await timed(500, 1, post(offload.url, key));
    await flushTurns();
    await offload.close();
    console.log(
      "\nThe same handler in the bench's own process (with the fake Claude, one process: no hop between processes; sequential)",
    );
    console.table([
      {
        "direct p50 ms": pct(d.latencies, 0.5).toFixed(2),
        "via handler p50 ms": pct(v.latencies, 0.5).toFixed(2),
        "added p50 ms": (pct(v.latencies, 0.5) - pct(d.latencies, 0.5)).toFixed(2),
        "added p99 ms": (pct(v.latencies, 0.99) - pct(d.latencies, 0.99)).toFixed(2),
      },
    ]);
  } finally {
    process.env = saved;
    resetEnv();
    await target.cleanup();
    await claude.close();
  }
}
