// kill -9 under load loses no answered turn: `npm start`'s server answers a burst of gateway turns
// (JSON and streaming), is killed with SIGKILL the moment the last answer arrives (no drain, no
// flush), and started again on the same data folder: every turn an agent saw answered is in the
// database, once, and DailyUsage agrees.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { openDb } from "@/server/db/client";

const TURNS = 600;
const CONCURRENCY = 24;

let claude: FakeAnthropic;
let server: StartedServer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-crash-"));
const env = () => ({
  OFFLOAD_DATA_DIR: dataDir,
  OFFLOAD_DEMO: "off",
  ANTHROPIC_API_KEY: "sk-ant-operator",
  ANTHROPIC_BASE_URL: claude.url,
  OLLAMA_HOST: "http://127.0.0.1:9",
});

async function addAgent(): Promise<string> {
  const token = (JSON.parse(fs.readFileSync(path.join(dataDir, "server.json"), "utf8")) as { token: string }).token;
  const res = await fetch(`${server.url}/api/trpc/agents.add`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ json: { id: "worker", pin: "claude" } }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
}

describe("a crash under load", () => {
  beforeAll(async () => {
    claude = await startFakeAnthropic();
    server = await startServer({ env: env() });
  });
  afterAll(async () => {
    await server?.stop();
    await claude?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("loses none of the turns answered before kill -9", async () => {
    const key = await addAgent();
    claude.setReply(() => ({ text: "ok", usage: { input_tokens: 12, output_tokens: 3 } }));
    const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    const answered: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < TURNS) {
        const i = next++;
        const res = await undiciFetch(`${server.url}/v1/messages`, {
          method: "POST",
          dispatcher,
          headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
          body: JSON.stringify({
            model: "claude-opus-4-6",
            max_tokens: 16,
            stream: i % 3 === 0,
            messages: [{ role: "user", content: `review change ${i}` }],
          }),
        });
        await res.arrayBuffer(); // the whole answer, to its end
        if (res.status === 200) answered.push(res.headers.get("x-offload-turn-id")!);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await server.crash();
    await dispatcher.close();
    expect(answered.length).toBe(TURNS);

    // What was in the database at the moment of the crash (the rest was only in the spool).
    const before = await openDb({ dataDir });
    const storedAtCrash = await before.prisma.turn.count();
    await before.close();

    server = await startServer({ env: env(), dataDir });
    expect(server.logs()).toMatch(
      storedAtCrash < TURNS ? /stored \d+ turn\(s\) answered before the last stop/ : /ready/,
    );
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { turns: { deadLettered: number } };
    expect(health.turns.deadLettered).toBe(0);
    await server.stop();

    const db = await openDb({ dataDir });
    try {
      const ids = (await db.prisma.turn.findMany({ select: { id: true } })).map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => answered.includes(id)).length).toBe(TURNS);
      const daily = await db.prisma.dailyUsage.aggregate({ _sum: { turns: true } });
      expect(daily._sum.turns).toBe(ids.length);
      console.log(
        `kill -9 after ${TURNS} answered turns: ${storedAtCrash} were stored at the crash, all ${TURNS} after the restart`,
      );
    } finally {
      await db.close();
    }
  });
});
