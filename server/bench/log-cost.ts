// What the request log scope (server/process/log.ts: an AsyncLocalStorage per agent request, its
// fields on every line) costs a request, against a baseline without it, in the same run. Each mode
// runs in a process of its own, alternately, three times: an AsyncLocalStorage once used stays
// enabled for the whole process (every promise then carries its store), so the baseline must be a
// process that never used it. Both modes run inside the production listener's existing request scope
// (server/auth/request-scope.ts), as serve.ts does. Printed, never asserted.
//
//   node --import ./server/runtime/register.mjs server/bench/log-cost.ts
//
// synthetic: a handler that awaits 50 promises (a gateway turn's order of magnitude) and answers,
//   200,000 times: the scope's own cost, resolved to nanoseconds.
// gateway: handleMessages itself, a local-lane turn to a fake Ollama over loopback, 1,500 times in
//   sequence (LOG_COST_REQUESTS, LOG_COST_ROUNDS), on Postgres with TEST_DATABASE_URL, else PGlite:
//   the cost in a real turn, within that turn's noise. LOG_COST_KINDS=gateway runs that part alone.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { runInRequestScope } from "@/server/auth/request-scope";
import { log, noteRequestLog, runWithRequestLog } from "@/server/process/log";

type Mode = "baseline" | "scoped";
/** Wall time and CPU time (user + system) per request, and the median request's wall time. */
type Result = { perRequestUs: number; cpuPerRequestUs: number; p50Us: number };

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const SYNTHETIC_REQUESTS = 200_000;
const GATEWAY_REQUESTS = Number(process.env.LOG_COST_REQUESTS ?? 1_500);
const ROUNDS = Number(process.env.LOG_COST_ROUNDS ?? 3);

/** What agent-routes.ts adds around a handler, and what the lanes add once the turn id is made. */
function scoped<T>(mode: Mode, handler: () => Promise<T>): Promise<T> {
  if (mode === "baseline") return handler();
  return runWithRequestLog("/v1/messages", () => {
    if (!log.isLevelEnabled("debug")) return handler();
    const t0 = performance.now();
    return handler().then((answer) => {
      log.debug({ ms: performance.now() - t0 }, "answered");
      return answer;
    });
  });
}

async function synthetic(mode: Mode): Promise<Result> {
  const handler = async () => {
    if (mode === "scoped")
      noteRequestLog({ agentId: "bench", lane: "local", turnId: "0193a000-0000-7000-8000-000000000000" });
    for (let i = 0; i < 50; i++) await Promise.resolve(i);
    return new Response(null, { status: 200 });
  };
  const run = async (n: number) => {
    const t = performance.now();
    const c = cpuMs();
    for (let i = 0; i < n; i++) await runInRequestScope("127.0.0.1", () => scoped(mode, handler));
    return { wall: performance.now() - t, cpu: cpuMs() - c };
  };
  await run(20_000);
  const { wall, cpu } = await run(SYNTHETIC_REQUESTS);
  return {
    perRequestUs: (wall * 1000) / SYNTHETIC_REQUESTS,
    cpuPerRequestUs: (cpu * 1000) / SYNTHETIC_REQUESTS,
    p50Us: 0,
  };
}

async function gateway(mode: Mode): Promise<Result> {
  const { startFakeOllama } = await import("@/server/testing/fake-ollama");
  const { testDatabases } = await import("@/server/testing/test-databases");
  const { seedCatalogue } = await import("@/server/db/seed");
  const { addAgent } = await import("@/server/agents/manage-agents");
  const { configureTurnWriter, flushTurns } = await import("@/server/gateway/turn-writer");
  const { handleMessages } = await import("@/server/gateway/handle-messages");
  const { resetEnv } = await import("@/server/process/env");
  const ollama = await startFakeOllama();
  process.env.OLLAMA_HOST = ollama.url;
  resetEnv();
  // Postgres when TEST_DATABASE_URL is set (quicker to create), else PGlite.
  const target = testDatabases().at(-1)!;
  const db = await target.create();
  try {
    await seedCatalogue(db);
    configureTurnWriter(async () => db);
    const { key } = await addAgent(db, { id: "bench", pin: "local" });
    const body = JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 16,
      messages: [{ role: "user", content: "ping" }],
    });
    const send = async () => {
      const request = new Request("http://127.0.0.1/v1/messages", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body,
      });
      const response = await runInRequestScope("127.0.0.1", () => scoped(mode, () => handleMessages(request, db)));
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status ${response.status}`);
    };
    for (let i = 0; i < 200; i++) await send();
    await flushTurns();
    const latencies: number[] = [];
    const t = performance.now();
    const c = cpuMs();
    for (let i = 0; i < GATEWAY_REQUESTS; i++) {
      const t0 = performance.now();
      await send();
      latencies.push(performance.now() - t0);
      if (i % 250 === 249) await flushTurns();
    }
    const ms = performance.now() - t;
    const cpu = cpuMs() - c;
    latencies.sort((a, b) => a - b);
    return {
      perRequestUs: (ms * 1000) / GATEWAY_REQUESTS,
      cpuPerRequestUs: (cpu * 1000) / GATEWAY_REQUESTS,
      p50Us: latencies[latencies.length >> 1]! * 1000,
    };
  } finally {
    await flushTurns().catch(() => {});
    await db.close();
    await target.cleanup();
    await ollama.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function child(kind: string, mode: Mode): Result {
  const run = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, kind, mode], {
    encoding: "utf8",
    env: { ...process.env, OFFLOAD_LOG_LEVEL: "info" },
  });
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.status !== 0 || !line.startsWith("{"))
    throw new Error(`${kind} ${mode} failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as Result;
}

async function main(): Promise<void> {
  const [kind, mode] = process.argv.slice(2) as [string | undefined, Mode | undefined];
  if (kind && mode) {
    const result = kind === "synthetic" ? await synthetic(mode) : await gateway(mode);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  for (const k of (process.env.LOG_COST_KINDS ?? "synthetic,gateway").split(",")) {
    const results: Record<Mode, Result[]> = { baseline: [], scoped: [] };
    for (let round = 0; round < ROUNDS; round++)
      for (const m of ["baseline", "scoped"] as const) results[m].push(child(k, m));
    const fmt = (rs: Result[], f: keyof Result) => rs.map((r) => r[f].toFixed(2)).join(" / ");
    const per = (m: Mode, f: keyof Result) => median(results[m].map((r) => r[f]));
    console.log(`\n${k}: µs per request, ${ROUNDS} runs each in alternating processes, log level info`);
    const fields: [keyof Result, string][] = [
      ["cpuPerRequestUs", "CPU"],
      ["perRequestUs", "wall"],
      ...(k === "gateway" ? ([["p50Us", "p50 wall"]] as [keyof Result, string][]) : []),
    ];
    for (const [f, name] of fields) {
      console.log(`  ${name}`);
      for (const m of ["baseline", "scoped"] as const)
        console.log(`    ${m.padEnd(9)} ${fmt(results[m], f)}   median ${per(m, f).toFixed(2)}`);
      console.log(`    scoped - baseline (medians): ${(per("scoped", f) - per("baseline", f)).toFixed(2)} µs`);
    }
  }
}

void main();
