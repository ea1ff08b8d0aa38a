// The gateway's log lines, captured while real requests go through the agent endpoints (the
// production dispatch: server/http/agent-routes.ts, over HTTP) to fake Ollama and Anthropic
// servers: every line of a request carries its request id and route, every line once the turn
// exists carries the turn's id (the one the agent gets in x-offload-turn-id), and no line carries
// prompt text or a key.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { resetEnv } from "@/server/process/env";
import { captureLogs, type CapturedLogs } from "@/server/process/log";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "./turn-writer";
import { invalidateGatewayState } from "./gateway-state";

const OPERATOR_KEY = "sk-ant-operator-log-test-key";
/** Text only the prompts hold: it must appear in no log line. */
const PROMPT = "PROMPT-TEXT-7d1c: reply HEARTBEAT_OK";
const savedEnv = { ...process.env };
const target = testDatabases()[0]!;

type Line = Record<string, unknown>;

describe("the gateway's log lines", () => {
  let db: Db;
  let offload: ServedHandlers;
  let ollama: FakeOllama;
  let claude: FakeAnthropic;
  let key: string;
  let logs: CapturedLogs;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    claude = await startFakeAnthropic();
    Object.assign(process.env, {
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_API_KEY: OPERATOR_KEY,
      ANTHROPIC_BASE_URL: claude.url,
    });
    resetEnv();
    db = await target.create();
    await seedCatalogue(db);
    key = (await addAgent(db, { id: "worker-1", pin: "local" })).key;
  });
  afterAll(async () => {
    await ollama?.close();
    await claude?.close();
    process.env = { ...savedEnv };
    resetEnv();
    await target.cleanup();
  });
  beforeEach(async () => {
    resetTurnWriter();
    invalidateGatewayState();
    ollama.failAlways(null);
    ollama.setModels(["qwen3:8b"]);
    configureTurnWriter(async () => db);
    offload = await serveHandlers(db);
    logs = captureLogs("debug");
  });
  afterEach(async () => {
    logs.stop();
    await offload?.close();
  });

  const post = (path: string, body: object, headers: Record<string, string> = { "x-api-key": key }) =>
    fetch(`${offload.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
      body: JSON.stringify(body),
    });
  const messages = (stream = false) => ({
    model: "claude-opus-4-6",
    max_tokens: 64,
    stream,
    system: `You are worker-1. ${PROMPT}`,
    messages: [{ role: "user", content: PROMPT }],
  });

  /** The lines of the one request that logged `answered` with this status, in order. */
  function linesOfRequest(lines: Line[], answered: Line): Line[] {
    return lines.filter((l) => l.reqId === answered.reqId);
  }

  function expectNothingSecret(): void {
    const text = logs.text();
    expect(text).not.toContain("PROMPT-TEXT-7d1c");
    expect(text).not.toContain("HEARTBEAT_OK");
    expect(text).not.toContain(key);
    expect(text).not.toContain(OPERATOR_KEY);
  }

  it.each([false, true])("puts the turn id on every line of a local turn (stream: %s)", async (stream) => {
    const res = await post("/v1/messages", messages(stream));
    expect(res.status).toBe(200);
    await res.text();
    await flushTurns();
    const turnId = res.headers.get("x-offload-turn-id")!;
    expect(turnId).toMatch(/^[0-9a-f-]{36}$/);
    const answered = logs.lines.find((l) => l.msg === "answered")!;
    expect(answered).toMatchObject({
      level: "debug",
      route: "/v1/messages",
      agentId: "worker-1",
      lane: "local",
      turnId,
      status: 200,
    });
    const request = linesOfRequest(logs.lines, answered);
    expect(request.length).toBeGreaterThan(0);
    for (const line of request) expect(line).toMatchObject({ turnId, route: "/v1/messages" });
    expectNothingSecret();
  });

  it("follows an escalation: the local turn's lines, then the Claude turn's", async () => {
    ollama.failAlways({ kind: "refuse" });
    claude.setReply(() => ({ text: "done", usage: { input_tokens: 12, output_tokens: 3 } }));
    const res = await post("/v1/messages", messages());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-offload-lane")).toBe("claude");
    await res.text();
    await flushTurns();
    const turns = await db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    const local = turns.find((t) => t.status === "escalated")!;
    const escalatedTo = turns.find((t) => t.escalatedFromTurnId === local.id)!;
    expect(escalatedTo.id).toBe(res.headers.get("x-offload-turn-id"));

    const escalated = logs.lines.find((l) => l.msg === "escalated to claude")!;
    expect(escalated).toMatchObject({ level: "info", turnId: local.id, lane: "local", agentId: "worker-1" });
    expect(escalated.reason).toContain("ollama refused the connection");
    const answered = logs.lines.find((l) => l.msg === "answered")!;
    expect(answered).toMatchObject({ turnId: escalatedTo.id, escalatedFrom: local.id, lane: "claude", status: 200 });
    const request = linesOfRequest(logs.lines, answered);
    expect(request.map((l) => l.msg)).toEqual(["escalated to claude", "answered"]);
    for (const line of request) expect([local.id, escalatedTo.id]).toContain(line.turnId);
    expectNothingSecret();
  });

  it("gives each request its own id, also those that never become a turn", async () => {
    const counted = await post("/v1/messages/count_tokens", {
      model: "claude-opus-4-6",
      messages: [{ role: "user", content: PROMPT }],
    });
    await counted.text();
    const refused = await post("/v1/messages", messages(), { authorization: "Bearer ofk_not-a-key-of-anyone" });
    expect(refused.status).toBe(401);
    await refused.text();
    const answered = logs.lines.filter((l) => l.msg === "answered");
    expect(answered).toHaveLength(2);
    expect(answered[0]).toMatchObject({ route: "/v1/messages/count_tokens", status: counted.status });
    expect(answered[1]).toMatchObject({ route: "/v1/messages", status: 401 });
    for (const line of answered) expect(line).not.toHaveProperty("turnId");
    expect(answered[0]!.reqId).not.toBe(answered[1]!.reqId);
    expect(logs.text()).not.toContain("ofk_not-a-key-of-anyone");
    expectNothingSecret();
  });

  it("logs nothing at info level for a turn that went well", async () => {
    logs.stop();
    logs = captureLogs("info");
    const res = await post("/v1/messages", messages());
    expect(res.status).toBe(200);
    await res.text();
    await flushTurns();
    expect(logs.lines).toEqual([]);
  });
});
