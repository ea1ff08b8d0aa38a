// Two Offload instances (`npm start` twice, each with its own data folder) on one Postgres behave
// as one (issue 17, several instances): started together they apply the migrations once; an agent
// added on one is served by the other; a tier move made on one routes the other's next decision;
// turns sent to both at once are all stored and DailyUsage counts each exactly once; an agent's
// daily Claude budget spent through one is refused by the other; a smoke run started on one is
// followed on the other. How long the other instance took
// to see each change is printed (the README quotes it), not asserted. Postgres only.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { callAdmin } from "@/server/testing/call-admin";

const baseUrl = process.env.TEST_DATABASE_URL;
const TOKEN = "two-instances-admin-token";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!baseUrl)("two instances on one Postgres", () => {
  const name = `offload_two_${process.pid}`;
  const query = async (connectionString: string | undefined, sql: string) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
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
  let claude: FakeAnthropic;
  let ollama: FakeOllama;
  let a: StartedServer;
  let b: StartedServer;

  const admin = <T>(server: StartedServer, procedure: string, input: unknown, mutation = true) =>
    callAdmin<T>(server, procedure, input, { query: !mutation, token: TOKEN });

  const turn = (server: StartedServer, key: string, i: number) =>
    fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 16,
        messages: [{ role: "user", content: `review change ${i}` }],
      }),
    });
  /** Polls until `ok`, at most `ms`; how long it took (null: never). */
  const until = async (ok: () => Promise<boolean>, ms = 10_000): Promise<number | null> => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await ok()) return Date.now() - t0;
      await sleep(50);
    }
    return null;
  };

  beforeAll(async () => {
    await query(baseUrl, `drop database if exists "${name}" with (force)`);
    await query(baseUrl, `create database "${name}"`);
    claude = await startFakeAnthropic();
    ollama = await startFakeOllama(); // up: a task type moved to a local lane is routed there
    claude.setReply(() => ({ text: "ok", usage: { input_tokens: 1_000, output_tokens: 50 } }));
    const env = {
      DATABASE_URL: databaseUrl,
      OFFLOAD_ADMIN_TOKEN: TOKEN,
      OFFLOAD_HOST: "127.0.0.1",
      OFFLOAD_DEMO: "off",
      ANTHROPIC_API_KEY: "sk-ant-operator",
      ANTHROPIC_BASE_URL: claude.url,
      OLLAMA_HOST: ollama.url,
    };
    // Started together: both find an empty database.
    [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await claude?.close();
    await ollama?.close();
    await query(baseUrl, `drop database if exists "${name}" with (force)`).catch(() => {});
  });

  it("applies the migrations once, and each instance sees what the other changes", async () => {
    const migrations = fs
      .readdirSync(path.join(import.meta.dirname, "..", "..", "prisma", "migrations"), { withFileTypes: true })
      .filter((d) => d.isDirectory()).length;
    const applied = await query(databaseUrl, `select migration_name from "_prisma_migrations"`);
    expect(applied).toHaveLength(migrations);
    expect(new Set(applied.map((r) => r.migration_name)).size).toBe(migrations);

    // An agent added on A is served by B.
    const { key } = await admin<{ key: string }>(a, "agents.add", { id: "shared", pin: "none" });
    const keySeen = await until(async () => (await turn(b, key, 0)).status === 200);
    expect(keySeen).not.toBeNull();

    // A tier move on A routes B's next decision.
    const route = async (server: StartedServer) => {
      const res = await fetch(`${server.url}/api/v1/route`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ taskType: "code-review" }),
      });
      return ((await res.json()) as { lane: string }).lane;
    };
    expect(await route(b)).toBe("claude");
    await admin(a, "tiers.moveTaskType", { id: "code-review", lane: "local", from: "claude" });
    const moveSeen = await until(async () => (await route(b)) === "local");
    expect(moveSeen).not.toBeNull();
    console.log(
      `instance B served a key added on A after ${keySeen} ms and routed a tier move made on A after ${moveSeen} ms`,
    );
  });

  it("stores every turn sent to both at once, DailyUsage exact", async () => {
    const { key } = await admin<{ key: string }>(a, "agents.add", { id: "busy", pin: "claude" });
    await until(async () => (await turn(b, key, -1)).status === 200);
    const sent = async (server: StartedServer, from: number) => {
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 6 }, async (_, w) => {
          for (let i = w; i < 150; i += 6) {
            const res = await turn(server, key, from + i);
            await res.arrayBuffer();
            statuses.push(res.status);
          }
        }),
      );
      return statuses;
    };
    const [onA, onB] = await Promise.all([sent(a, 0), sent(b, 1_000)]);
    expect([...onA, ...onB].filter((s) => s !== 200)).toEqual([]);
    const stored = await until(async () => {
      const [row] = await query(databaseUrl, `select count(*)::int as n from "Turn" where "agentId" = 'busy'`);
      return (row as { n: number }).n === 301;
    });
    expect(stored).not.toBeNull();
    const [usage] = await query(
      databaseUrl,
      `select sum(turns)::int as turns, sum("costMicroUsd")::bigint::text as cost from "DailyUsage" where "agentId" = 'busy'`,
    );
    const [turns] = await query(
      databaseUrl,
      `select count(*)::int as turns, sum("costMicroUsd")::bigint::text as cost from "Turn" where "agentId" = 'busy'`,
    );
    expect(usage).toEqual(turns);
  });

  it("follows on one instance a smoke run started on the other", async () => {
    const { runId } = await admin<{ runId: string }>(a, "smoke.start", { model: "ollama/qwen3:8b", repeat: 1 });
    const runs = await admin<{ id: string; model: string }[]>(b, "smoke.runs", undefined, false);
    expect(runs.map((r) => r.id)).toContain(runId);
    const ended = await until(async () => {
      const run = await admin<{ status: string; results: unknown[] }>(b, "smoke.run", { id: runId }, false);
      return run.status !== "running" && run.status !== "queued" && run.results.length > 0;
    }, 60_000);
    expect(ended).not.toBeNull();
  });

  it("refuses on one instance an agent's budget spent through the other", async () => {
    // A turn costs 6,250 micro-dollars (1,000 in and 50 out on Opus 4.6): four spend the 2 cents.
    const { key } = await admin<{ key: string }>(a, "agents.add", {
      id: "thrifty",
      pin: "claude",
      dailyBudgetUsd: 0.02,
      overBudget: "refuse",
    });
    await until(async () => (await turn(b, key, -1)).status === 200); // B knows the key (and spends a turn)
    let i = 0;
    while ((await turn(a, key, i++)).status === 200 && i < 20);
    expect(i).toBeLessThan(20); // A refused once over
    let allowedOnB = 0;
    const refusedAfter = await until(async () => {
      const res = await turn(b, key, 100 + allowedOnB);
      if (res.status === 200) allowedOnB++;
      return res.status === 429;
    });
    expect(refusedAfter).not.toBeNull();
    console.log(
      `instance B refused the spent budget after ${refusedAfter} ms (${allowedOnB} turn(s) let through meanwhile)`,
    );
  });
});
