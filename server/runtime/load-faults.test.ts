// The load test of issue 14: 50,000 gateway turns through `npm start`'s server on Postgres, from
// 32 keep-alive clients, while the faults an operator meets happen in the middle of the run: the
// local model's Ollama is killed and comes back, and the database refuses every connection for a
// few seconds (every session cut). At the end the server is killed with SIGKILL while answers are
// still in flight, and started again on the same data folder. Then every turn an agent saw
// answered is in the Turn table exactly once, DailyUsage agrees with the rows, and nothing went to
// the dead letters. The figures it prints (throughput, latencies, answers by phase, rows stored at
// the crash and after the restart) are the README's reliability figures; nothing here asserts a
// timing. Postgres only (TEST_DATABASE_URL): the embedded database lives in the server process and
// cannot be cut from outside. OFFLOAD_LOAD_TURNS sets a smaller run for a quick look.
import fs from "node:fs";
import pg from "pg";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { sleep } from "@/server/testing/fake-server";
import { callAdmin } from "@/server/testing/call-admin";

const TURNS = Number(process.env.OFFLOAD_LOAD_TURNS ?? 50_000);
const CONCURRENCY = 32;
const OUTAGE_MS = 5_000;
const baseUrl = process.env.TEST_DATABASE_URL;
const ADMIN_TOKEN = "load-test-admin-token-0123456789";

type Phase = "steady" | "ollama down" | "ollama back" | "database cut" | "database back" | "kill -9";
type Sample = { phase: Phase; status: number; ms: number; lane: string | null };

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

describe.skipIf(!baseUrl)("50,000 turns through faults, then kill -9", () => {
  const name = `offload_load_${process.pid}`;
  const query = async (connectionString: string | undefined, sql: string) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const databaseUrl = (() => {
    if (!baseUrl) return "";
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    return url.toString();
  })();
  /** On the suite's own database: creates, drops and cuts the load test's. */
  const admin = (sql: string) => query(baseUrl, sql);
  /** On the load test's database. */
  const inLoadDb = (sql: string) => query(databaseUrl, sql);
  let claude: FakeAnthropic;
  let ollama: FakeOllama;
  let server: StartedServer | undefined;
  let dataDir = "";
  const env = () => ({
    DATABASE_URL: databaseUrl,
    OFFLOAD_ADMIN_TOKEN: ADMIN_TOKEN,
    OFFLOAD_HOST: "127.0.0.1",
    OFFLOAD_DEMO: "off",
    ANTHROPIC_API_KEY: "sk-ant-operator",
    ANTHROPIC_BASE_URL: claude.url,
    OLLAMA_HOST: ollama.url,
  });

  beforeAll(async () => {
    await admin(`drop database if exists "${name}" with (force)`);
    await admin(`create database "${name}"`);
    claude = await startFakeAnthropic();
    ollama = await startFakeOllama();
    claude.setReply(() => ({ text: "ok", usage: { input_tokens: 40, output_tokens: 4 } }));
    ollama.setReply(() => ({ content: "HEARTBEAT_OK", promptTokens: 40, outputTokens: 4 }));
    server = await startServer({ env: env() });
    dataDir = server.dataDir;
  });
  afterAll(async () => {
    await server?.stop();
    await claude?.close();
    await ollama?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await admin(`alter database "${name}" allow_connections true`).catch(() => {});
    await admin(`drop database if exists "${name}" with (force)`).catch(() => {});
  });

  const addAgent = async (id: string, pin: "claude" | "local") =>
    (await callAdmin<{ key: string }>(server!, "agents.add", { id, pin }, { token: ADMIN_TOKEN })).key;

  it("stores every answered turn exactly once", { timeout: 45 * 60_000 }, async () => {
    const keys = { claude: await addAgent("reviewer", "claude"), local: await addAgent("poller", "local") };
    const url = server!.url;
    const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    const samples: Sample[] = [];
    const answered: string[] = [];
    let phase: Phase = "steady";
    let next = 0;
    let done = 0;
    let crashing: Promise<void> | null = null;
    const faults: Promise<void>[] = [];
    const marks = { ollamaDown: Math.floor(TURNS * 0.2), ollamaBack: Math.floor(TURNS * 0.3) };
    const cutAt = Math.floor(TURNS * 0.5);
    const crashAt = TURNS - CONCURRENCY;
    let storedAtCrash = -1;

    // The faults, keyed to how many turns were sent so far.
    const onSent = (i: number) => {
      if (i === marks.ollamaDown) {
        phase = "ollama down";
        ollama.failAlways({ kind: "refuse" });
      } else if (i === marks.ollamaBack) {
        phase = "ollama back";
        ollama.failAlways(null);
      } else if (i === cutAt) {
        phase = "database cut";
        faults.push(
          (async () => {
            await admin(`alter database "${name}" allow_connections false`);
            await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
            await sleep(OUTAGE_MS);
            await admin(`alter database "${name}" allow_connections true`);
            phase = "database back";
          })(),
        );
      }
    };

    const started = performance.now();
    const worker = async () => {
      while (next < TURNS && !crashing) {
        const i = next++;
        onSent(i);
        const local = i % 3 === 2;
        const sentIn = phase;
        const t0 = performance.now();
        try {
          const res = await undiciFetch(`${url}/v1/messages`, {
            method: "POST",
            dispatcher,
            headers: {
              "x-api-key": local ? keys.local : keys.claude,
              "content-type": "application/json",
              "anthropic-version": "2023-06-01",
            },
            body: JSON.stringify({
              model: "claude-sonnet-4-5",
              max_tokens: 64,
              stream: i % 4 === 0,
              messages: [{ role: "user", content: local ? `poll mailbox ${i}` : `review change ${i}` }],
            }),
          });
          await res.arrayBuffer(); // the whole answer, to its end
          samples.push({
            phase: sentIn,
            status: res.status,
            ms: performance.now() - t0,
            lane: res.headers.get("x-offload-lane"),
          });
          if (res.status === 200) answered.push(res.headers.get("x-offload-turn-id")!);
        } catch {
          samples.push({ phase: crashing ? "kill -9" : sentIn, status: 0, ms: performance.now() - t0, lane: null });
        }
        done++;
        if (done === crashAt && !crashing) {
          // Answers still in flight on every other connection: kill the server now, no drain.
          // (A short run waits for the database to be back first.)
          crashing = (async () => {
            await Promise.all(faults);
            await server!.crash();
            const count = await inLoadDb(`select count(*)::int as n from "Turn"`);
            storedAtCrash = (count.rows[0] as { n: number }).n;
          })();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedS = (performance.now() - started) / 1000;
    await Promise.all(faults);
    await crashing;
    await dispatcher.close();

    server = await startServer({ env: env(), dataDir });
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
      turns: { deadLettered: number; pending: number };
    };
    const recovered = /stored (\d+) turn\(s\) answered before the last stop/.exec(server.logs());
    await server.stop();
    server = undefined;

    const rows = (await inLoadDb(`select id, status::text as status from "Turn"`)).rows as {
      id: string;
      status: string;
    }[];
    const daily = (await inLoadDb(`select coalesce(sum(turns), 0)::int as n from "DailyUsage"`)).rows[0] as {
      n: number;
    };
    const dead = (await inLoadDb(`select count(*)::int as n from "DeadTurn"`)).rows[0] as { n: number };
    const stored = new Map(rows.map((r) => [r.id, r.status]));
    const answeredStored = answered.filter((id) => stored.get(id) === "ok").length;
    const okRows = rows.filter((r) => r.status === "ok").length;

    // The figures.
    const phases: Phase[] = ["steady", "ollama down", "ollama back", "database cut", "database back", "kill -9"];
    const table = phases
      .map((p) => {
        const of = samples.filter((s) => s.phase === p);
        if (of.length === 0) return null;
        const ms = of.map((s) => s.ms).sort((a, b) => a - b);
        const byStatus = new Map<number, number>();
        for (const s of of) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
        const statuses = [...byStatus].map(([s, n]) => `${s === 0 ? "no answer" : s}: ${n}`).join(", ");
        const localServed = of.filter((s) => s.lane === "local").length;
        return `| ${p} | ${of.length} | ${statuses} | ${localServed} | ${percentile(ms, 50).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} |`;
      })
      .filter(Boolean);
    console.log(
      [
        `load test: ${samples.length} requests from ${CONCURRENCY} clients in ${elapsedS.toFixed(1)} s (${(samples.length / elapsedS).toFixed(0)}/s), Postgres, spool ${process.env.OFFLOAD_TURN_SPOOL ?? "fsync"}`,
        "| phase | requests | answers | served locally | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        ...table,
        `answered ${answered.length}; Turn rows at the kill ${storedAtCrash}, after the restart ${rows.length} (${okRows} ok); ` +
          `replayed from the spool ${recovered?.[1] ?? 0}; answered turns missing ${answered.length - answeredStored}; dead letters ${dead.n}`,
      ].join("\n"),
    );

    expect(new Set(answered).size).toBe(answered.length);
    expect(answeredStored).toBe(answered.length); // no answered turn lost
    expect(rows.length).toBe(stored.size); // none twice
    // Rows beyond the answers: escalated local attempts, and answers the kill cut before the client read their end.
    expect(okRows - answered.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(daily.n).toBe(rows.length);
    expect(dead.n).toBe(0);
    expect(health.turns.deadLettered).toBe(0);
    // The faults really happened: local turns went to Claude while Ollama was down, and were local again after.
    expect(samples.some((s) => s.phase === "ollama down" && s.status === 200 && s.lane === "claude")).toBe(true);
    // (A short run, OFFLOAD_LOAD_TURNS, may send its last turn before the database is back.)
    if (TURNS >= 20_000) expect(samples.some((s) => s.phase === "database back" && s.lane === "local")).toBe(true);
    // Nothing but 200 while the server was up: the faults cost no agent an error.
    expect(samples.filter((s) => s.phase !== "kill -9" && s.status !== 200)).toEqual([]);
    expect(answered.length).toBeGreaterThanOrEqual(crashAt);
  });
});
