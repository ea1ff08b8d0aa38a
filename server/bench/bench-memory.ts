// The server's memory under a steady streaming load (issue 17: under 400 MB RSS at 50 concurrent
// streams for 10 minutes). `npm start`'s server (server/testing/start-server.ts) against a fake
// Anthropic and a fake Ollama, a Claude-pinned and a local-pinned agent, and N streaming Messages
// requests (`stream: true`) kept in flight for M minutes, half on each lane. Every 5 s it samples
// the resident memory (VmRSS) of the server process and of the whole tree `npm start` runs (the
// start script and the server), and the server's V8 heap from its own /metrics (prom-client's
// process metrics). It prints a row a minute, min / median / max / final, the turns answered and
// whether every answered turn is in the Turn table. Embedded database by default (what `npm start`
// uses); `--postgres` runs on a fresh database of BENCH_DATABASE_URL or TEST_DATABASE_URL.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { Agent, fetch as undiciFetch } from "undici";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama } from "@/server/testing/fake-ollama";
import { sleep } from "@/server/testing/fake-server";
import { callAdmin } from "@/server/testing/call-admin";
import { openDb } from "@/server/db/client";
import { percentile } from "@/server/core/stats";
import { findServerProcesses } from "@/server/testing/server-process";

export type MemoryBenchOptions = {
  /** How long the load lasts (default 10). */
  minutes: number;
  /** Streaming requests kept in flight (default 50). */
  streams: number;
  /** A Postgres URL (a database is created in it and dropped after); the embedded database without. */
  postgresUrl?: string;
  /** Write V8 heap snapshots of the server (idle, end of load) into this folder. */
  snapshotDir?: string;
};

const SAMPLE_EVERY_MS = 5_000;
const METRICS_TOKEN = "bench-memory-metrics-token";
const ADMIN_TOKEN = "bench-memory-admin-token";
const MiB = 1024 * 1024;

/** The options from `npm run bench -- --memory [--minutes N] [--streams N] [--postgres] [--snapshots DIR]`. */
export function readMemoryBenchArgs(argv: readonly string[]): MemoryBenchOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const number = (flag: string, fallback: number): number => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} takes a positive number, not "${raw}"`);
    return n;
  };
  const postgresUrl = argv.includes("--postgres")
    ? (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)
    : undefined;
  if (argv.includes("--postgres") && !postgresUrl)
    throw new Error("--postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL (a database is created in it)");
  const snapshots = value("--snapshots");
  return {
    minutes: number("--minutes", 10),
    streams: Math.round(number("--streams", 50)),
    postgresUrl,
    snapshotDir: snapshots ? path.resolve(snapshots) : undefined,
  };
}

/** VmRSS of a process in bytes (0 once it is gone). */
function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants (through /proc/<pid>/task/<tid>/children). */
function treeOf(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue; // the process ended
    }
    for (const tid of tasks) {
      try {
        const children = fs.readFileSync(`/proc/${out[i]}/task/${tid}/children`, "utf8").trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

type Sample = {
  atS: number;
  serverRss: number;
  treeRss: number;
  heapUsed: number | null;
  heapTotal: number | null;
  external: number | null;
  answered: number;
};

/** prom-client's process metrics from the server's /metrics (null where one is missing). */
async function readHeap(url: string): Promise<Pick<Sample, "heapUsed" | "heapTotal" | "external">> {
  const none = { heapUsed: null, heapTotal: null, external: null };
  try {
    const res = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(4_000),
    });
    if (res.status !== 200) return none;
    const text = await res.text();
    const metric = (name: string): number | null => {
      const m = new RegExp(`^offload_${name} (\\S+)$`, "m").exec(text);
      return m ? Number(m[1]) : null;
    };
    return {
      heapUsed: metric("nodejs_heap_size_used_bytes"),
      heapTotal: metric("nodejs_heap_size_total_bytes"),
      external: metric("nodejs_external_memory_bytes"),
    };
  } catch {
    return none;
  }
}

const mib = (bytes: number | null) => (bytes === null ? "-" : (bytes / MiB).toFixed(0));

/** An agent's turn of a realistic shape: a long system prompt and tools, a short instruction. */
function requestBody(i: number, local: boolean): string {
  const workspace = "You are an agent of a fleet. Follow AGENTS.md; keep replies short.\n".repeat(80);
  return JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    stream: true,
    system: [{ type: "text", text: workspace, cache_control: { type: "ephemeral" } }],
    tools: Array.from({ length: 8 }, (_, t) => ({
      name: `tool_${t}`,
      description: `Tool number ${t}: reads or writes a file in the workspace.`,
      input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    })),
    messages: [
      {
        role: "user",
        content: local
          ? `[Mon 2026-11-30 ${String(i % 24).padStart(2, "0")}:00 UTC] Read HEARTBEAT.md if it exists. Poll the mailbox ${i}; reply HEARTBEAT_OK.`
          : `Review change ${i}: does the new retry loop in the uploader handle a 429 correctly?`,
      },
    ],
  });
}

export async function benchMemory(options: MemoryBenchOptions): Promise<void> {
  const { minutes, streams } = options;
  const claude = await startFakeAnthropic();
  const ollama = await startFakeOllama();
  const jitter = () => 50 + Math.floor(Math.random() * 150);
  claude.setReply(() => ({
    text: "The retry loop backs off on 429 and honours retry-after; one nit on the jitter. ".repeat(6),
    delayMs: jitter(),
  }));
  ollama.setReply(() => ({ content: "HEARTBEAT_OK", delayMs: jitter(), promptTokens: 3_000, outputTokens: 4 }));

  let database: string | undefined;
  let databaseUrl: string | undefined;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: options.postgresUrl });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  if (options.postgresUrl) {
    database = `offload_bench_memory_${process.pid}`;
    await admin(`drop database if exists "${database}" with (force)`);
    await admin(`create database "${database}"`);
    const url = new URL(options.postgresUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const testData = path.join(path.resolve(import.meta.dirname, "..", ".."), ".test-data");
  fs.mkdirSync(testData, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(testData, "memory-"));
  if (options.snapshotDir) fs.mkdirSync(options.snapshotDir, { recursive: true });
  let server: StartedServer | undefined;
  try {
    server = await startServer({
      dataDir,
      env: {
        OFFLOAD_DEMO: "off",
        OFFLOAD_METRICS_TOKEN: METRICS_TOKEN,
        ANTHROPIC_API_KEY: "sk-ant-bench",
        ANTHROPIC_BASE_URL: claude.url,
        OLLAMA_HOST: ollama.url,
        // On Postgres the server leaves no local credential in its data folder: an admin token instead.
        ...(databaseUrl
          ? { DATABASE_URL: databaseUrl, OFFLOAD_ADMIN_TOKEN: ADMIN_TOKEN, OFFLOAD_HOST: "127.0.0.1" }
          : {}),
        ...(options.snapshotDir
          ? {
              NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${options.snapshotDir}`,
            }
          : {}),
      },
    });
    const pids = findServerProcesses(dataDir);
    const sampleRss = () => ({
      serverRss: rssOf(pids.server),
      treeRss: treeOf(pids.start).reduce((sum, pid) => sum + rssOf(pid), 0),
    });
    const snapshot = async (label: string) => {
      if (!options.snapshotDir) return;
      const before = new Set(fs.readdirSync(options.snapshotDir));
      process.kill(pids.server, "SIGUSR2");
      // The snapshot is written synchronously by the server; wait until its file stops growing.
      for (let i = 0; i < 240; i++) {
        await sleep(1_000);
        const added = fs.readdirSync(options.snapshotDir).filter((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
        if (added.length && (await readHeap(server!.url)).heapUsed !== null) {
          const file = path.join(options.snapshotDir, `${label}.heapsnapshot`);
          fs.renameSync(path.join(options.snapshotDir, added[0]!), file);
          console.log(`heap snapshot (${label}): ${file}`);
          return;
        }
      }
    };

    const token = databaseUrl ? ADMIN_TOKEN : undefined;
    const keys = {
      claude: (await callAdmin<{ key: string }>(server, "agents.add", { id: "reviewer", pin: "claude" }, { token }))
        .key,
      local: (await callAdmin<{ key: string }>(server, "agents.add", { id: "poller", pin: "local" }, { token })).key,
    };
    // Idle: booted, two agents, nothing served yet; give the start a moment to settle.
    await sleep(5_000);
    const idle = { ...sampleRss(), ...(await readHeap(server.url)) };
    await snapshot("idle");
    console.log(
      `\nMemory under ${streams} concurrent streams for ${minutes} min (${databaseUrl ? "Postgres" : "embedded PGlite"}; server pid ${pids.server}, npm start's script pid ${pids.start})`,
    );
    console.log(
      `idle: server RSS ${mib(idle.serverRss)} MiB, tree ${mib(idle.treeRss)} MiB, heap used ${mib(idle.heapUsed)} of ${mib(idle.heapTotal)} MiB, external ${mib(idle.external)} MiB`,
    );

    const dispatcher = new Agent({ connections: streams, keepAliveTimeout: 30_000 });
    const answered: string[] = [];
    const failures = new Map<string, number>();
    const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
    let sent = 0;
    const started = Date.now();
    const endAt = started + minutes * 60_000;
    const worker = async () => {
      while (Date.now() < endAt) {
        const i = sent++;
        const local = i % 2 === 1;
        try {
          const res = await undiciFetch(`${server!.url}/v1/messages`, {
            method: "POST",
            dispatcher,
            headers: {
              "x-api-key": local ? keys.local : keys.claude,
              "content-type": "application/json",
              "anthropic-version": "2023-06-01",
            },
            body: requestBody(i, local),
          });
          const text = await res.text();
          const turnId = res.headers.get("x-offload-turn-id");
          if (res.status !== 200) fail(`status ${res.status}`);
          else if (!text.includes("event: message_stop")) fail("stream without message_stop");
          else if (!turnId) fail("no x-offload-turn-id");
          else answered.push(turnId);
        } catch (err) {
          fail((err as Error).message);
        }
      }
    };

    const samples: Sample[] = [];
    let lastPrinted = 0;
    const header =
      "| minute | server RSS MiB | tree RSS MiB | heap used MiB | heap total MiB | external MiB | turns answered |";
    console.log(`${header}\n|---|---|---|---|---|---|---|`);
    const row = (s: Sample) =>
      `| ${(s.atS / 60).toFixed(0)} | ${mib(s.serverRss)} | ${mib(s.treeRss)} | ${mib(s.heapUsed)} | ${mib(s.heapTotal)} | ${mib(s.external)} | ${s.answered} |`;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(SAMPLE_EVERY_MS);
        if (!sampling) break;
        const s: Sample = {
          atS: (Date.now() - started) / 1000,
          ...sampleRss(),
          ...(await readHeap(server!.url)),
          answered: answered.length,
        };
        samples.push(s);
        // The fakes record every request; forget them, they are the bench's memory, not the server's.
        claude.requests.length = 0;
        ollama.requests.length = 0;
        if (s.atS >= lastPrinted + 60 - SAMPLE_EVERY_MS / 2000) {
          lastPrinted = Math.round(s.atS / 60) * 60;
          console.log(row(s));
        }
      }
    })();
    await Promise.all(Array.from({ length: streams }, worker));
    const loadSeconds = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    const end = { ...sampleRss(), ...(await readHeap(server.url)) };
    console.log(row({ atS: loadSeconds, ...end, answered: answered.length }));
    await snapshot("loaded");
    await dispatcher.close();

    // Every answered turn written? Wait for the writer and the spool to be empty, then read the table.
    for (let i = 0; i < 120; i++) {
      const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
        turns: { pending: number; spooled: number };
      };
      if (health.turns.pending === 0 && health.turns.spooled === 0) break;
      await sleep(500);
    }
    await sleep(30_000);
    const after = { ...sampleRss(), ...(await readHeap(server.url)) };

    await server.stop();
    server = undefined;
    const db = await openDb(databaseUrl ? { databaseUrl } : { dataDir });
    let stored: Set<string>;
    try {
      stored = new Set(
        (await db.prisma.turn.findMany({ where: { status: "ok" }, select: { id: true } })).map((r) => r.id),
      );
    } finally {
      await db.close();
    }
    const missing = answered.filter((id) => !stored.has(id)).length;

    const stats = (pick: (s: Sample) => number | null) => {
      const values = samples.map(pick).filter((v): v is number => v !== null);
      values.sort((a, b) => a - b);
      return values.length
        ? `${mib(values[0]!)} / ${mib(percentile(values, 0.5))} / ${mib(values.at(-1)!)}`
        : "- / - / -";
    };
    console.log(`\nOver the load (${samples.length} samples, every ${SAMPLE_EVERY_MS / 1000} s), MiB:`);
    console.log("| figure | idle | min / median / max under load | end of load | 30 s after the load |");
    console.log("|---|---|---|---|---|");
    const line = (what: string, key: "serverRss" | "treeRss" | "heapUsed" | "heapTotal" | "external") =>
      console.log(`| ${what} | ${mib(idle[key])} | ${stats((s) => s[key])} | ${mib(end[key])} | ${mib(after[key])} |`);
    line("server RSS", "serverRss");
    line("npm start tree RSS", "treeRss");
    line("server heap used", "heapUsed");
    line("server heap total", "heapTotal");
    line("server external", "external");
    const maxServer = Math.max(...samples.map((s) => s.serverRss));
    console.log(
      `\nTurns: sent ${sent}, answered ${answered.length} (${(answered.length / loadSeconds).toFixed(0)}/s over ${loadSeconds.toFixed(0)} s), ` +
        `recorded ${answered.length - missing} of them${missing ? ` (${missing} MISSING)` : " (all)"}; ` +
        `failures: ${failures.size ? [...failures].map(([k, n]) => `${k} x${n}`).join(", ") : "none"}`,
    );
    console.log(
      `Target: under 400 MB (${(400e6 / MiB) | 0} MiB) server RSS at ${streams} streams: ${maxServer < 400e6 ? "met" : "NOT met"} (max ${mib(maxServer)} MiB)`,
    );
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await claude.close();
    await ollama.close();
    if (database) await admin(`drop database if exists "${database}" with (force)`).catch(() => {});
  }
}
