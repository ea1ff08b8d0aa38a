// The database away for a few seconds (Postgres refusing connections, every session cut): the
// gateway keeps answering agents from its last state, Claude-lane turns included, with no 500;
// /api/health says degraded meanwhile; and once the database is back every answered turn is stored.
// Postgres only (TEST_DATABASE_URL): the embedded database lives in this process and cannot be cut.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { openDb, type Db } from "@/server/db/client";
import { closeDb } from "@/server/db/instance";
import { applyMigrations } from "@/server/db/migrate";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { resetEnv } from "@/server/process/env";
import { checkHealth } from "@/server/health/check-app-health";
import { configureTurnWriter, flushTurns, resetTurnWriter, turnWriterStatus } from "./turn-writer";
import { gatewayState, invalidateGatewayState } from "./gateway-state";

const baseUrl = process.env.TEST_DATABASE_URL;
const savedEnv = { ...process.env };

describe.skipIf(!baseUrl)("the gateway while Postgres is away", () => {
  const name = `offload_outage_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let db: Db;
  let claude: FakeAnthropic;
  let offload: ServedHandlers;
  let key: string;

  beforeAll(async () => {
    await admin(`drop database if exists "${name}" with (force)`);
    await admin(`create database "${name}"`);
    const url = new URL(baseUrl!);
    url.pathname = `/${name}`;
    db = await openDb({ databaseUrl: url.toString(), poolMax: 4 });
    await applyMigrations(db);
    await seedCatalogue(db);
    key = (await addAgent(db, { id: "worker", pin: "claude" })).key;
    claude = await startFakeAnthropic();
    Object.assign(process.env, {
      ANTHROPIC_API_KEY: "sk-ant-outage",
      ANTHROPIC_BASE_URL: claude.url,
      DATABASE_URL: url.toString(),
    });
    resetEnv();
    resetTurnWriter();
    invalidateGatewayState();
    configureTurnWriter(async () => db);
    offload = await serveHandlers(db);
  });
  afterAll(async () => {
    await offload?.close();
    await claude?.close();
    await db?.close().catch(() => {});
    await closeDb().catch(() => {});
    await admin(`alter database "${name}" allow_connections true`).catch(() => {});
    await admin(`drop database if exists "${name}" with (force)`);
    process.env = { ...savedEnv };
    resetEnv();
  });

  const turn = (i: number, stream = false) =>
    fetch(`${offload.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 16,
        stream,
        messages: [{ role: "user", content: `review change ${i}` }],
      }),
    });

  it("answers every turn while the database is cut, and stores them all when it is back", async () => {
    claude.setReply(() => ({ text: "ok", usage: { input_tokens: 10, output_tokens: 2 } }));
    expect((await turn(0)).status).toBe(200);
    await flushTurns();
    await gatewayState(db); // the state the gateway will fall back on

    await admin(`alter database "${name}" allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
    await new Promise((r) => setTimeout(r, 1_100)); // past the gateway state's one-second freshness

    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const res = await turn(i, i % 4 === 0);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await flushTurns().catch(() => {});
    expect(turnWriterStatus().pending).toBe(40);
    const health = await checkHealth(2_000);
    expect(health).toMatchObject({ status: 503, body: { status: "degraded", turns: { pending: 40 } } });

    await admin(`alter database "${name}" allow_connections true`);
    for (let i = 0; i < 50 && turnWriterStatus().pending > 0; i++) {
      await flushTurns().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await db.prisma.turn.count()).toBe(41);
    expect(await db.prisma.deadTurn.count()).toBe(0);
    expect((await checkHealth()).status).toBe(200);
  });
});
