// The Claude lane as a transparent proxy (issue 12): what the agent sends reaches "Anthropic"
// unchanged but for the credential, and what Anthropic answers reaches the agent unchanged plus the
// x-offload-* headers; unknown roles and blocks go to Claude; the requested (or operator-mapped)
// model is served and priced; every answer says what happened; agents are seen. "Anthropic" here is
// a scripted node:http server that records the raw request and answers with exact bytes.
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { request as rawRequest } from "undici";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { updateSettings } from "@/server/db/settings";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { resetEnv } from "@/server/process/env";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "./turn-writer";
import { invalidateGatewayState } from "./gateway-state";

const OPERATOR_KEY = "sk-ant-operator-transparent";
const HEARTBEAT = "Read HEARTBEAT.md if it exists (workspace context). If nothing needs attention, reply HEARTBEAT_OK.";
const savedEnv = { ...process.env };

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; raw: Buffer };
type Reply = (req: Seen, res: http.ServerResponse) => void;

/** A scripted Anthropic: records each request raw; answers as the test says (by default, a fixed JSON message). */
async function startScriptedAnthropic() {
  const seen: Seen[] = [];
  let reply: Reply | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, raw: Buffer.concat(chunks) };
      seen.push(s);
      (reply ?? defaultReply)(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    setReply(r: Reply | null) {
      reply = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A message as Anthropic writes it (odd spacing on purpose: it must come back byte for byte). */
function messageBytes(model: string, usage: Record<string, number>): Buffer {
  return Buffer.from(
    `{"id":"msg_01","type":"message","role":"assistant","model":${JSON.stringify(model)},` +
      `"content":[{"type":"text","text":"Looks fine \\u2713 caf\u00e9"}],"stop_reason":"end_turn","stop_sequence":null,` +
      `"usage":  ${JSON.stringify(usage)} }`,
  );
}

const ANTHROPIC_HEADERS = {
  "request-id": "req_011CVscripted",
  "anthropic-organization-id": "org-0000-scripted",
  "anthropic-ratelimit-requests-remaining": "49",
  "anthropic-ratelimit-tokens-reset": "2026-11-30T05:00:00Z",
};

const defaultReply: Reply = (req, res) => {
  let model = "claude-opus-4-6";
  try {
    model = JSON.parse(req.raw.toString("utf8")).model ?? model;
  } catch {
    // keep the default
  }
  const body = req.url.startsWith("/v1/messages/count_tokens")
    ? Buffer.from('{"input_tokens":  321}')
    : messageBytes(model, { input_tokens: 1_000, output_tokens: 100 });
  res.writeHead(200, { "content-type": "application/json", ...ANTHROPIC_HEADERS }).end(body);
};

for (const target of testDatabases()) {
  describe(`transparent Claude lane on ${target.kind}`, () => {
    let db: Db;
    let offload: ServedHandlers;
    let ollama: FakeOllama;
    let anthropic: Awaited<ReturnType<typeof startScriptedAnthropic>>;
    let keys: Record<string, string>;
    const turns = async () => {
      await flushTurns();
      return db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    };
    const post = (path: string, agent: string | null, body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${offload.url}${path}`, {
        method: "POST",
        headers: {
          ...(agent ? { "x-api-key": keys[agent]! } : {}),
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          ...headers,
        },
        body: typeof body === "string" ? body : new Uint8Array(body),
      });

    beforeAll(async () => {
      ollama = await startFakeOllama();
      anthropic = await startScriptedAnthropic();
      Object.assign(process.env, {
        OLLAMA_HOST: ollama.url,
        ANTHROPIC_API_KEY: OPERATOR_KEY,
        ANTHROPIC_BASE_URL: anthropic.url,
      });
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      await anthropic?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });
    beforeEach(async () => {
      resetTurnWriter();
      invalidateGatewayState();
      anthropic.seen.length = 0;
      anthropic.setReply(null);
      ollama.requests.length = 0;
      db = await target.create();
      await seedCatalogue(db);
      configureTurnWriter(async () => db);
      keys = {
        loash: (await addAgent(db, { id: "loash", claudeModel: "claude-opus-4-6" })).key,
        ops: (await addAgent(db, { id: "ops", pin: "claude" })).key,
      };
      offload = await serveHandlers(db);
    });
    afterEach(async () => {
      await offload?.close();
    });

    it("forwards path, query, body bytes and headers as sent, with the operator's key instead of the agent's", async () => {
      // Claude Code's shape: ?beta=true, beta list, a system message inside messages, fields Offload does not know.
      const body = Buffer.from(
        '{"model":"claude-opus-4-6",  "max_tokens":32000,"messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>x</system-reminder>"},' +
          '{"type":"text","text":"Review PR 128 \\u00e9\u00e9"}]},{"role":"system","content":"be brief"}],' +
          '"thinking":{"type":"adaptive"},"context_management":{"edits":[{"type":"clear_thinking_20251015"}]},' +
          '"output_config":{"effort":"high"},"metadata":{"user_id":"u1"},"stream":false}',
      );
      const res = await post("/v1/messages?beta=true", "ops", body, {
        "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
        "x-app": "cli",
        "user-agent": "claude-cli/2.1.197 (external, sdk-cli)",
        "x-claude-code-session-id": "5d9c-session",
        "x-stainless-retry-count": "0",
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(200);

      const got = anthropic.seen[0]!;
      expect(anthropic.seen).toHaveLength(1);
      expect(got.url).toBe("/v1/messages?beta=true");
      expect(got.raw.equals(body)).toBe(true);
      expect(got.headers["anthropic-version"]).toBe("2023-06-01");
      expect(got.headers["anthropic-beta"]).toBe(
        "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
      );
      expect(got.headers["x-app"]).toBe("cli");
      expect(got.headers["user-agent"]).toBe("claude-cli/2.1.197 (external, sdk-cli)");
      expect(got.headers["x-claude-code-session-id"]).toBe("5d9c-session");
      expect(got.headers["x-stainless-retry-count"]).toBe("0");
      expect(got.headers["x-api-key"]).toBe(OPERATOR_KEY);
      expect(got.headers.authorization).toBeUndefined();
      expect(JSON.stringify(got.headers)).not.toContain(keys.ops!);

      // The answer: Anthropic's bytes and headers, plus Offload's.
      expect(bytes.equals(messageBytes("claude-opus-4-6", { input_tokens: 1_000, output_tokens: 100 }))).toBe(true);
      for (const [name, value] of Object.entries(ANTHROPIC_HEADERS)) expect(res.headers.get(name)).toBe(value);
      expect(res.headers.get("x-offload-lane")).toBe("claude");
      expect(res.headers.get("x-offload-model")).toBe("claude-opus-4-6");
      expect(res.headers.get("x-offload-reason")).toBe("agent ops is pinned to claude");
      const [turn] = await turns();
      expect(turn!.id).toBe(res.headers.get("x-offload-turn-id"));
      expect(turn).toMatchObject({
        lane: "claude",
        requestedModel: "claude-opus-4-6",
        servedModel: "claude-opus-4-6",
        inputTokens: 1_000,
        outputTokens: 100,
        costMicroUsd: 7_500n,
        status: "ok",
      });
    });

    it("adds anthropic-version 2023-06-01 only when the client sent none, and takes Authorization: Bearer", async () => {
      const res = await fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys.ops}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(200);
      expect(anthropic.seen[0]!.headers["anthropic-version"]).toBe("2023-06-01");
      expect(anthropic.seen[0]!.headers.authorization).toBeUndefined();
      expect(anthropic.seen[0]!.headers["x-api-key"]).toBe(OPERATOR_KEY);
    });

    it("passes a stream through byte for byte (CRLF, multi-line data, comments) and meters it", async () => {
      const start = JSON.stringify({
        type: "message_start",
        message: {
          id: "msg_2",
          type: "message",
          role: "assistant",
          model: "claude-opus-4-6",
          content: [],
          usage: { input_tokens: 400, cache_read_input_tokens: 2_000, output_tokens: 1 },
        },
      });
      const stream =
        `: proxy comment\r\nevent: message_start\r\ndata: ${start}\r\n\r\n` +
        `event: ping\r\ndata: {"type": "ping"}\r\n\r\n` +
        `event: content_block_start\r\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\r\n\r\n` +
        `event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,\r\ndata: "delta":{"type":"text_delta","text":"Hi"}}\r\n\r\n` +
        `event: content_block_stop\r\ndata: {"type":"content_block_stop","index":0}\r\n\r\n` +
        `event: message_delta\r\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},\r\ndata: "usage":{"output_tokens":20}}\r\n\r\n` +
        `event: message_stop\r\ndata: {"type":"message_stop"}\r\n\r\n`;
      anthropic.setReply((_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", ...ANTHROPIC_HEADERS });
        // In pieces that cut events, lines and CRLF pairs apart.
        const bytes = Buffer.from(stream);
        let at = 0;
        const next = () => {
          if (at >= bytes.length) return void res.end();
          res.write(bytes.subarray(at, at + 13));
          at += 13;
          setImmediate(next);
        };
        next();
      });
      const res = await post(
        "/v1/messages",
        "ops",
        JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 64,
          stream: true,
          messages: [{ role: "user", content: "x" }],
        }),
      );
      expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(res.headers.get("anthropic-organization-id")).toBe(ANTHROPIC_HEADERS["anthropic-organization-id"]);
      expect(Buffer.from(await res.arrayBuffer()).toString("utf8")).toBe(stream);
      const [turn] = await turns();
      // 400*5 + 20*25 + 2,000*0.5 = 2,000 + 500 + 1,000
      expect(turn).toMatchObject({
        status: "ok",
        inputTokens: 400,
        outputTokens: 20,
        cacheReadTokens: 2_000,
        costMicroUsd: 3_500n,
      });
      expect(turn!.id).toBe(res.headers.get("x-offload-turn-id"));
    });

    it("hands back a compressed answer still compressed, and meters it from a copy", async () => {
      const plain = messageBytes("claude-opus-4-6", { input_tokens: 10, output_tokens: 4 });
      const gz = zlib.gzipSync(plain);
      anthropic.setReply((req, res) => {
        expect(req.headers["accept-encoding"]).toBe("gzip");
        res
          .writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", ...ANTHROPIC_HEADERS })
          .end(gz);
      });
      const res = await rawRequest(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": keys.ops!, "content-type": "application/json", "accept-encoding": "gzip" },
        body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 8, messages: [{ role: "user", content: "x" }] }),
      });
      expect(res.headers["content-encoding"]).toBe("gzip");
      expect(Buffer.from(await res.body.arrayBuffer()).equals(gz)).toBe(true);
      const [turn] = await turns();
      expect(turn).toMatchObject({ status: "ok", inputTokens: 10, outputTokens: 4 });
    });

    it("hands Anthropic's error answers back unchanged, with the x-offload-* headers, and records the error", async () => {
      const error = Buffer.from(
        '{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"},"request_id":"req_9"}',
      );
      anthropic.setReply((_req, res) =>
        res
          .writeHead(429, { "content-type": "application/json", "retry-after": "17", "x-should-retry": "true" })
          .end(error),
      );
      const res = await post(
        "/v1/messages",
        "ops",
        JSON.stringify({ model: "claude-opus-4-6", max_tokens: 8, messages: [{ role: "user", content: "x" }] }),
      );
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("17");
      expect(res.headers.get("x-should-retry")).toBe("true");
      expect(Buffer.from(await res.arrayBuffer()).equals(error)).toBe(true);
      expect(res.headers.get("x-offload-lane")).toBe("claude");
      const [turn] = await turns();
      expect(turn).toMatchObject({ status: "error", lane: "claude" });
      expect(turn!.errorMessage).toContain("429 rate_limit_error");
      expect(turn!.id).toBe(res.headers.get("x-offload-turn-id"));
    });

    it("sends what a local model cannot take faithfully to Claude, untouched, and says why", async () => {
      // A heartbeat would go local, but a role the local lane does not know is in the conversation.
      const withSystem = JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [
          { role: "user", content: HEARTBEAT },
          { role: "system", content: "Use the compact format." },
        ],
        some_future_field: { x: 1 },
      });
      const a = await post("/v1/messages", "loash", withSystem);
      expect(a.status).toBe(200);
      expect(a.headers.get("x-offload-lane")).toBe("claude");
      expect(a.headers.get("x-offload-reason")).toContain('not for a local model (messages.1.role is "system")');
      // An unknown block type, likewise.
      const withBlock = JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: HEARTBEAT },
              { type: "search_result", source: "kb", title: "t", content: [] },
            ],
          },
        ],
      });
      const b = await post("/v1/messages", "loash", withBlock);
      expect(b.headers.get("x-offload-lane")).toBe("claude");
      expect(anthropic.seen.map((s) => s.raw.toString("utf8"))).toEqual([withSystem, withBlock]);
      expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(0);
      const rows = await turns();
      expect(rows.map((t) => [t.lane, t.taskTypeId])).toEqual([
        ["claude", "heartbeat"],
        ["claude", "heartbeat"],
      ]);
      expect(rows[0]!.reason).toContain('messages.1.role is "system"');
      expect(rows[1]!.reason).toContain('messages.0.content.1.type is "search_result"');
    });

    it("serves the model the agent asked for, and prices it as that model", async () => {
      const res = await post(
        "/v1/messages",
        "loash",
        JSON.stringify({
          model: "claude-haiku-4-5",
          max_tokens: 64,
          messages: [{ role: "user", content: "Review PR 128 for correctness and risk before we merge it." }],
        }),
      );
      expect(res.headers.get("x-offload-model")).toBe("claude-haiku-4-5");
      expect(JSON.parse(anthropic.seen[0]!.raw.toString("utf8")).model).toBe("claude-haiku-4-5");
      const [turn] = await turns();
      // Haiku: 1,000 * $1 + 100 * $5 per million = 1,500 micro-dollars (Opus would be 7,500).
      expect(turn).toMatchObject({
        lane: "claude",
        requestedModel: "claude-haiku-4-5",
        servedModel: "claude-haiku-4-5",
        costMicroUsd: 1_500n,
      });
    });

    it("under an operator's mapping changes only the body's model, and records both models", async () => {
      await updateSettings(db, {
        modelMappings: [{ from: "claude-opus-4-6", to: "claude-sonnet-4-6", agentId: "ops", taskTypeId: null }],
      });
      invalidateGatewayState();
      const sent =
        '{ "model" : "claude-opus-4-6", "max_tokens":64,"messages":[{"role":"user","content":"review \\"model\\": x"}],"metadata":{"model":"keep"}}';
      const res = await post("/v1/messages", "ops", sent);
      expect(res.status).toBe(200);
      const got = anthropic.seen[0]!.raw.toString("utf8");
      expect(got).toBe(sent.replace('"claude-opus-4-6"', '"claude-sonnet-4-6"'));
      expect(res.headers.get("x-offload-model")).toBe("claude-sonnet-4-6");
      const [turn] = await turns();
      // Sonnet: 1,000 * $3 + 100 * $15 per million = 4,500 micro-dollars.
      expect(turn).toMatchObject({
        requestedModel: "claude-opus-4-6",
        servedModel: "claude-sonnet-4-6",
        costMicroUsd: 4_500n,
      });
      expect(turn!.reason).toContain("model mapped by the operator: claude-opus-4-6 -> claude-sonnet-4-6 (agent ops)");
      // Another agent is not mapped.
      await post("/v1/messages", "loash", sent);
      expect(anthropic.seen[1]!.raw.toString("utf8")).toBe(sent);
    });

    it("forwards count_tokens as sent and answers as Anthropic did, with the x-offload-* headers", async () => {
      const sent =
        '{"model":"claude-haiku-4-5","messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}],"tools":[]}';
      const res = await post("/v1/messages/count_tokens?beta=true", "loash", sent, {
        "anthropic-beta": "token-counting-2024-11-01",
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"input_tokens":  321}');
      expect(res.headers.get("request-id")).toBe(ANTHROPIC_HEADERS["request-id"]);
      expect(res.headers.get("x-offload-lane")).toBe("claude");
      expect(res.headers.get("x-offload-model")).toBe("claude-haiku-4-5");
      expect(res.headers.get("x-offload-reason")).toBe("counted by claude");
      const got = anthropic.seen[0]!;
      expect(got.url).toBe("/v1/messages/count_tokens?beta=true");
      expect(got.raw.toString("utf8")).toBe(sent);
      expect(got.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
      expect(got.headers["x-api-key"]).toBe(OPERATOR_KEY);
    });

    it("says what happened on every answer: 401, 400, 413, count_tokens errors and no key", async () => {
      const expectOffload = (res: Response, lane: string, model: string) => {
        expect(res.headers.get("x-offload-lane")).toBe(lane);
        expect(res.headers.get("x-offload-model")).toBe(model);
        expect(res.headers.get("x-offload-reason")).toBeTruthy();
      };
      const unauthorised = await post("/v1/messages", null, "{}");
      expect(unauthorised.status).toBe(401);
      expectOffload(unauthorised, "none", "none");
      expect(await unauthorised.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });

      const bad = await post("/v1/messages", "loash", JSON.stringify({ model: "claude-opus-4-6", messages: [] }));
      expect(bad.status).toBe(400);
      expectOffload(bad, "none", "claude-opus-4-6");
      expect(bad.headers.get("x-offload-reason")).toContain("max_tokens");
      expect(await bad.json()).toMatchObject({ error: { type: "invalid_request_error", field: "max_tokens" } });

      const notArray = await post(
        "/v1/messages",
        "loash",
        JSON.stringify({ model: "m", max_tokens: 5, messages: "hi" }),
      );
      expect(((await notArray.json()) as { error: { field: string } }).error.field).toBe("messages");

      const huge = await post("/v1/messages", "loash", Buffer.alloc(33 * 1024 * 1024, 0x20));
      expect(huge.status).toBe(413);
      expectOffload(huge, "none", "none");

      const countUnauthorised = await post("/v1/messages/count_tokens", null, "{}");
      expect(countUnauthorised.status).toBe(401);
      expectOffload(countUnauthorised, "none", "none");
      const countBad = await post("/v1/messages/count_tokens", "loash", '{"model":"claude-opus-4-6"}');
      expect(countBad.status).toBe(400);
      expectOffload(countBad, "none", "claude-opus-4-6");

      delete process.env.ANTHROPIC_API_KEY;
      resetEnv();
      try {
        const noKey = await post(
          "/v1/messages",
          "ops",
          JSON.stringify({ model: "claude-opus-4-6", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
        );
        expect(noKey.status).toBe(503);
        expectOffload(noKey, "claude", "claude-opus-4-6");
        const [turn] = await turns();
        expect(noKey.headers.get("x-offload-turn-id")).toBe(turn!.id);
        const estimate = await post("/v1/messages/count_tokens", "loash", '{"model":"m","messages":[]}');
        expect(estimate.headers.get("x-offload-estimated")).toBe("true");
        expectOffload(estimate, "none", "m");
      } finally {
        process.env.ANTHROPIC_API_KEY = OPERATOR_KEY;
        resetEnv();
      }
    });

    it("marks the agents of gateway turns as seen, with the turn writes", async () => {
      const before = await db.prisma.agent.findMany({ select: { id: true, lastSeenAt: true } });
      expect(before.every((a) => a.lastSeenAt === null)).toBe(true);
      const started = Date.now();
      const body = JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      });
      await post("/v1/messages", "ops", body);
      await post("/v1/messages", "ops", body);
      await post("/v1/messages", "loash", body);
      await flushTurns();
      const after = new Map(
        (await db.prisma.agent.findMany({ select: { id: true, lastSeenAt: true } })).map((a) => [a.id, a.lastSeenAt]),
      );
      for (const id of ["ops", "loash"]) {
        expect(after.get(id)).not.toBeNull();
        expect(after.get(id)!.getTime()).toBeGreaterThanOrEqual(started - 1_000);
        expect(after.get(id)!.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      }
    });
  });
}
