// The gateway end to end: the official @anthropic-ai/sdk, unmodified, pointed at Offload's
// handlers; Offload pointed at fake Ollama and Anthropic servers that speak the providers' API
// shapes and fail on demand. Asserts what the agent sees and the turns written.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import { addAgent, removeAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { updateSettings } from "@/server/db/settings";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { configureTurnWriter, drainGateway, flushTurns, resetTurnWriter } from "./turn-writer";
import { invalidateGatewayState } from "./gateway-state";
import { resetEnv } from "@/server/process/env";

const OPERATOR_KEY = "sk-ant-operator-test-key";
const HEARTBEAT =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";
const savedEnv = { ...process.env };

for (const target of testDatabases()) {
  describe(`gateway on ${target.kind}`, () => {
    let db: Db;
    let offload: ServedHandlers;
    let ollama: FakeOllama;
    let claude: FakeAnthropic;
    let keys: Record<string, string>;
    const sdk = (agent: string, options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
      new Anthropic({ apiKey: keys[agent]!, baseURL: offload.url, maxRetries: 0, ...options });
    const turns = async () => {
      await flushTurns();
      return db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    };

    beforeAll(async () => {
      ollama = await startFakeOllama();
      claude = await startFakeAnthropic();
      Object.assign(process.env, {
        OLLAMA_HOST: ollama.url,
        ANTHROPIC_API_KEY: OPERATOR_KEY,
        ANTHROPIC_BASE_URL: claude.url,
      });
      resetEnv();
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
      claude.failAlways(null);
      ollama.requests.length = 0;
      claude.requests.length = 0;
      ollama.setModels(["qwen3:8b"]);
      db = await target.create();
      await seedCatalogue(db);
      configureTurnWriter(async () => db);
      keys = {
        loash: (await addAgent(db, { id: "loash", claudeModel: "claude-opus-4-6" })).key,
        "worker-1": (await addAgent(db, { id: "worker-1", pin: "local" })).key,
        ops: (await addAgent(db, { id: "ops", pin: "claude", heartbeatMinutes: 60 })).key,
      };
      offload = await serveHandlers(db);
    });
    afterEach(async () => {
      await offload?.close();
    });

    it("routes a heartbeat to the local model, warm and with room for the workspace context", async () => {
      const { data, response } = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 512,
          system: [{ type: "text", text: "You are loash.", cache_control: { type: "ephemeral" } }],
          messages: [{ role: "user", content: HEARTBEAT }],
        })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("local");
      expect(response.headers.get("x-offload-model")).toBe("qwen3:8b");
      expect(data.model).toBe("qwen3:8b");
      expect(data.content).toEqual([{ type: "text", text: "HEARTBEAT_OK" }]);
      expect(data.usage.input_tokens).toBeGreaterThan(0);

      const sent = ollama.requests.find((r) => r.path === "/api/chat")!.body;
      expect(sent).toMatchObject({
        model: "qwen3:8b",
        stream: false,
        think: false,
        options: { num_ctx: 32_768, num_predict: 512 },
      });
      expect(sent.keep_alive).toBe("65m"); // the fleet's longest heartbeat (ops, 60 min) + 5
      expect(JSON.stringify(sent)).not.toContain("cache_control");
      expect(sent.messages[0]).toEqual({ role: "system", content: "You are loash." });

      const [turn] = await turns();
      expect(turn).toMatchObject({
        agentId: "loash",
        lane: "local",
        taskTypeId: "heartbeat",
        requestedModel: "claude-opus-4-6",
        servedModel: "qwen3:8b",
        status: "ok",
        source: "gateway",
      });
      expect(turn!.id).toBe(response.headers.get("x-offload-turn-id"));
      expect(turn!.inputTokens).toBe(data.usage.input_tokens);
      expect(turn!.loadMs).not.toBeNull();
      expect(turn!.counterfactualMicroUsd! > 0n).toBe(true);
      expect(turn!.costMicroUsd! >= 0n).toBe(true);
      expect(claude.requests).toHaveLength(0);
    });

    it("streams a local answer as Anthropic server-sent events", async () => {
      const events: string[] = [];
      const stream = sdk("loash").messages.stream({
        model: "claude-opus-4-6",
        max_tokens: 256,
        messages: [{ role: "user", content: "post the daily status report in the usual template" }],
      });
      stream.on("streamEvent", (e) => events.push(e.type));
      const final = await stream.finalMessage();
      expect(final.model).toBe("qwen3:8b");
      expect(final.content[0]).toMatchObject({ type: "text" });
      expect((final.content[0] as Anthropic.TextBlock).text.length).toBeGreaterThan(0);
      expect(events[0]).toBe("message_start");
      expect(events).toContain("content_block_delta");
      expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
      const [turn] = await turns();
      expect(turn).toMatchObject({ lane: "local", status: "ok", taskTypeId: "status-report" });
      expect(turn!.outputTokens).toBeGreaterThan(0);
    });

    it("keeps a code review on Claude with the operator's key, and meters it exactly", async () => {
      claude.setReply(() => ({
        text: "Looks risky: the retry loop never ends.",
        usage: {
          input_tokens: 1_200,
          output_tokens: 300,
          cache_read_input_tokens: 10_000,
          cache_creation_input_tokens: 800,
          ephemeral_5m_input_tokens: 800,
          ephemeral_1h_input_tokens: 0,
        },
      }));
      const { data, response } = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 1024,
          messages: [{ role: "user", content: "Review PR 128 for correctness and risk before we merge it." }],
        })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      expect(data.content[0]).toMatchObject({ type: "text", text: "Looks risky: the retry loop never ends." });
      const sent = claude.requests.at(-1)!;
      expect(sent.headers["x-api-key"] ?? sent.headers.authorization?.replace(/^Bearer /, "")).toBe(OPERATOR_KEY);
      expect(JSON.stringify(sent.headers)).not.toContain(keys.loash!);
      const [turn] = await turns();
      // 1,200*5 + 300*25 + 10,000*0.5 + 800*6.25 = 6,000 + 7,500 + 5,000 + 5,000
      expect(turn).toMatchObject({
        lane: "claude",
        taskTypeId: "code-review",
        servedModel: "claude-opus-4-6",
        inputTokens: 1_200,
        outputTokens: 300,
        cacheReadTokens: 10_000,
        cacheWrite5mTokens: 800,
        costMicroUsd: 23_500n,
        counterfactualMicroUsd: 23_500n,
      });
    });

    it("passes Claude's stream through and meters its usage", async () => {
      claude.setReply(() => ({
        text: "Here is my design review, in several parts.",
        usage: { input_tokens: 500, output_tokens: 40 },
      }));
      const stream = sdk("loash").messages.stream({
        model: "claude-opus-4-6",
        max_tokens: 1024,
        messages: [{ role: "user", content: "weigh both architecture options and recommend one" }],
      });
      const final = await stream.finalMessage();
      expect((final.content[0] as Anthropic.TextBlock).text).toBe("Here is my design review, in several parts.");
      const [turn] = await turns();
      expect(turn).toMatchObject({ lane: "claude", inputTokens: 500, outputTokens: 40, costMicroUsd: 3_500n });
    });

    it("serves tool calls locally in Anthropic's shape", async () => {
      ollama.setReply(() => ({ toolCalls: [{ name: "exec", arguments: { command: "git status --porcelain" } }] }));
      const tools: Anthropic.Tool[] = [
        {
          name: "exec",
          description: "run a shell command",
          input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
        },
      ];
      const msg = await sdk("loash").messages.create({
        model: "claude-opus-4-6",
        max_tokens: 256,
        tools,
        messages: [{ role: "user", content: "is the working tree clean?" }],
      });
      expect(msg.stop_reason).toBe("tool_use");
      expect(msg.content[0]).toMatchObject({
        type: "tool_use",
        name: "exec",
        input: { command: "git status --porcelain" },
      });
      const sent = ollama.requests.find((r) => r.path === "/api/chat")!.body;
      expect(sent.tools[0]).toMatchObject({
        type: "function",
        function: { name: "exec", parameters: { required: ["command"] } },
      });

      // The tool result goes back as Ollama's tool message.
      const toolUse = msg.content[0] as Anthropic.ToolUseBlock;
      ollama.setReply(() => ({ content: "The tree is clean." }));
      const next = await sdk("loash").messages.create({
        model: "claude-opus-4-6",
        max_tokens: 256,
        tools,
        messages: [
          { role: "user", content: "is the working tree clean?" },
          { role: "assistant", content: [toolUse] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "" }] },
        ],
      });
      expect(next.content[0]).toMatchObject({ type: "text", text: "The tree is clean." });
      const second = ollama.requests.filter((r) => r.path === "/api/chat").at(-1)!.body;
      expect(second.messages.at(-1)).toMatchObject({ role: "tool", tool_name: "exec" });
      expect(second.messages.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ function: { name: "exec" } }] });
    });

    it("follows an agent's pin", async () => {
      const { response } = await sdk("ops")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      const local = await sdk("worker-1")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 64,
          messages: [{ role: "user", content: "design the new architecture" }],
        })
        .withResponse();
      expect(local.response.headers.get("x-offload-lane")).toBe("local");
    });

    it("escalates a Local-with-care answer that fails its check, and records both turns", async () => {
      ollama.setReply(() => ({ content: "I'm sorry, I can't help with that." }));
      claude.setReply(() => ({
        text: '[{"item": "fix login", "owner": "loash"}]',
        usage: { input_tokens: 300, output_tokens: 20 },
      }));
      const { data, response } = await sdk("loash")
        .messages.create(
          {
            model: "claude-opus-4-6",
            max_tokens: 256,
            messages: [
              { role: "user", content: "Parse BACKLOG.md into JSON: item and owner. Respond with JSON only." },
            ],
          },
          { headers: { "x-offload-task-type": "backlog-parsing" } },
        )
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      expect(data.content[0]).toMatchObject({ type: "text", text: '[{"item": "fix login", "owner": "loash"}]' });
      const rows = await turns();
      expect(rows).toHaveLength(2);
      const local = rows.find((t) => t.lane === "local_careful")!;
      const remote = rows.find((t) => t.lane === "claude")!;
      expect(local).toMatchObject({
        status: "escalated",
        errorMessage: "the local model refused",
        taskTypeId: "backlog-parsing",
      });
      expect(remote).toMatchObject({
        status: "ok",
        escalatedFromTurnId: local.id,
        taskTypeId: "backlog-parsing",
        costMicroUsd: 2_000n,
      });
      expect(remote.id).toBe(response.headers.get("x-offload-turn-id"));
    });

    it("buffers a streamed Local-with-care answer until it passes, then streams it", async () => {
      ollama.setReply(() => ({ content: '{"branch": "fix/login-timeout"}' }));
      const stream = sdk("loash").messages.stream(
        {
          model: "claude-opus-4-6",
          max_tokens: 256,
          messages: [{ role: "user", content: "Name a branch for 'Fix login timeout'. Respond with JSON only." }],
        },
        { headers: { "x-offload-task-type": "pr-branch-creation" } },
      );
      const final = await stream.finalMessage();
      expect((final.content[0] as Anthropic.TextBlock).text).toBe('{"branch": "fix/login-timeout"}');
      const [turn] = await turns();
      expect(turn).toMatchObject({ lane: "local_careful", status: "ok" });
    });

    it("sends local work to Claude while Ollama refuses connections, or fails clearly when escalation is off", async () => {
      ollama.failAlways({ kind: "refuse" });
      const { response } = await sdk("loash")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      const rows = await turns();
      expect(rows.map((t) => [t.lane, t.status])).toEqual([
        ["local", "escalated"],
        ["claude", "ok"],
      ]);

      await updateSettings(db, { escalateWhenLocalDown: false });
      invalidateGatewayState();
      const err = await sdk("loash")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect((err as APIError).status).toBe(503);
      expect((err as APIError).message).toContain("escalation to Claude is turned off");
    });

    it("escalates a local answer that never comes (timeout) or is not Ollama's JSON", async () => {
      await updateSettings(db, { localTimeoutSeconds: 1 });
      invalidateGatewayState();
      ollama.failNext({ kind: "hang" });
      const started = Date.now();
      const { response } = await sdk("loash")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      expect(Date.now() - started).toBeLessThan(10_000);

      ollama.failNext({ kind: "malformed" });
      const second = await sdk("loash")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .withResponse();
      expect(second.response.headers.get("x-offload-lane")).toBe("claude");

      const rows = await turns();
      expect(rows.map((t) => [t.lane, t.status])).toEqual([
        ["local", "escalated"],
        ["claude", "ok"],
        ["local", "escalated"],
        ["claude", "ok"],
      ]);
      expect(rows[0]!.errorMessage).toContain("did not answer within 1 s");
      expect(rows[2]!.errorMessage).toBeTruthy();
      expect(rows[1]!.escalatedFromTurnId).toBe(rows[0]!.id);
    });

    it("hands Claude's 500 to the agent as an api_error", async () => {
      claude.failNext({ kind: "status", status: 500 });
      const err = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 64,
          messages: [{ role: "user", content: "review PR 12" }],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.InternalServerError);
      expect(((err as APIError).error as { error: { type: string } }).error.type).toBe("api_error");
      const [turn] = await turns();
      expect(turn).toMatchObject({ lane: "claude", status: "error" });
    });

    it("on shutdown, finishes the turn in flight, stores it, and refuses new ones", async () => {
      let arrived!: () => void;
      const reachedOllama = new Promise<void>((resolve) => (arrived = resolve));
      ollama.setReply(() => {
        arrived();
        return { content: "HEARTBEAT_OK", delayMs: 400 };
      });
      const inFlight = sdk("loash").messages.create({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [{ role: "user", content: HEARTBEAT }],
      });
      await reachedOllama; // in flight: on the local model, not answered yet
      const drained = drainGateway(5_000);
      const late = await sdk("loash")
        .messages.create({ model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: HEARTBEAT }] })
        .catch((e: unknown) => e);
      expect((late as APIError).status).toBe(529);
      expect((await inFlight).content).toEqual([{ type: "text", text: "HEARTBEAT_OK" }]);
      await drained;
      // Stored by the drain itself, not by a flush from the test.
      expect(await db.prisma.turn.count()).toBe(1);
    });

    it("lets go of a streaming turn whose agent hung up before the first byte: nothing stays in flight", async () => {
      let arrived!: () => void;
      const reachedOllama = new Promise<void>((resolve) => (arrived = resolve));
      ollama.setReply(() => {
        arrived();
        return { content: "HEARTBEAT_OK", delayMs: 600 };
      });
      const controller = new AbortController();
      const call = fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": keys.loash!, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 64,
          stream: true,
          messages: [{ role: "user", content: HEARTBEAT }],
        }),
        signal: controller.signal,
      });
      await reachedOllama;
      controller.abort();
      await expect(call).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 1_000)); // the local answer arrives after the hang-up
      const started = Date.now();
      await drainGateway(20_000);
      expect(Date.now() - started).toBeLessThan(10_000); // a leaked request would hold the drain for 20 s
    });

    it("hands Claude's 429 and 529 to the agent unchanged", async () => {
      claude.failNext({ kind: "status", status: 429, headers: { "retry-after": "17" } });
      const limited = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 64,
          messages: [{ role: "user", content: "review PR 12" }],
        })
        .catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
      expect((limited as APIError).headers?.get("retry-after")).toBe("17");
      expect(((limited as APIError).error as { error: { type: string } }).error.type).toBe("rate_limit_error");

      claude.failNext({ kind: "status", status: 529 });
      const overloaded = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 64,
          messages: [{ role: "user", content: "review PR 12" }],
        })
        .catch((e: unknown) => e);
      expect((overloaded as APIError).status).toBe(529);
      expect(((overloaded as APIError).error as { error: { type: string } }).error.type).toBe("overloaded_error");
      const rows = await turns();
      expect(rows.map((t) => t.status)).toEqual(["error", "error"]);
    });

    it("refuses a missing, wrong or removed key with 401", async () => {
      const wrong = await new Anthropic({ apiKey: "ofk_nope", baseURL: offload.url, maxRetries: 0 }).messages
        .create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
      const bare = await fetch(`${offload.url}/v1/messages`, { method: "POST", body: "{}" });
      expect(bare.status).toBe(401);
      expect(await bare.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      await removeAgent(db, "loash");
      const removed = await sdk("loash")
        .messages.create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(removed).toBeInstanceOf(Anthropic.AuthenticationError);
    });

    it("answers 400 naming the field for a bad body, and 413 for one over 32 MB", async () => {
      const post = (body: string) =>
        fetch(`${offload.url}/v1/messages`, {
          method: "POST",
          headers: { "x-api-key": keys.loash!, "content-type": "application/json" },
          body,
        });
      const noMax = await post(JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }));
      expect(noMax.status).toBe(400);
      expect(await noMax.json()).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", field: "max_tokens" },
      });
      // Only what routing and metering need is checked (an unknown role goes to Claude: transparent-claude-lane.test.ts).
      const noModel = await post(JSON.stringify({ max_tokens: 5, messages: [{ role: "user", content: "hi" }] }));
      expect(((await noModel.json()) as { error: { field: string } }).error.field).toBe("model");
      const noMessages = await post(JSON.stringify({ model: "m", max_tokens: 5, messages: { role: "user" } }));
      expect(((await noMessages.json()) as { error: { field: string } }).error.field).toBe("messages");
      const badType = await fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": keys.loash!, "x-offload-task-type": "nope" },
        body: JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      });
      expect(badType.status).toBe(400);
      expect(((await badType.json()) as { error: { field: string } }).error.field).toBe("x-offload-task-type");
      const huge = await post(
        JSON.stringify({
          model: "m",
          max_tokens: 5,
          messages: [{ role: "user", content: "x".repeat(33 * 1024 * 1024) }],
        }),
      );
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
      // The same without a declared length (chunked): the refusal still reaches the client.
      const chunks = (async function* () {
        const piece = new TextEncoder().encode("x".repeat(1024 * 1024));
        yield new TextEncoder().encode('{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"');
        for (let i = 0; i < 33; i++) yield piece;
        yield new TextEncoder().encode('"}]}');
      })();
      const chunked = await fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": keys.loash!, "content-type": "application/json" },
        body: new ReadableStream({
          async pull(c) {
            const n = await chunks.next();
            if (n.done) c.close();
            else c.enqueue(n.value);
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await chunked.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
      expect(await turns()).toHaveLength(0);
    });

    it("sends a prompt larger than the local context to Claude instead of letting Ollama truncate it", async () => {
      const workspace = "AGENTS.md and TOOLS.md say many things. ".repeat(4_000); // ~160k characters, ~46k tokens
      const { response } = await sdk("loash")
        .messages.create({
          model: "claude-opus-4-6",
          max_tokens: 64,
          system: workspace,
          messages: [{ role: "user", content: HEARTBEAT }],
        })
        .withResponse();
      expect(response.headers.get("x-offload-lane")).toBe("claude");
      const [turn] = await turns();
      expect(turn!.reason).toContain("exceed the local context of 32,768 tokens");
      expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(0);
    });

    it("answers count_tokens from Claude, or estimates and says so without a key", async () => {
      const counted = await sdk("loash").messages.countTokens({
        model: "claude-opus-4-6",
        messages: [{ role: "user", content: "hello there" }],
      });
      expect(counted.input_tokens).toBeGreaterThan(0);
      delete process.env.ANTHROPIC_API_KEY;
      resetEnv();
      try {
        const res = await fetch(`${offload.url}/v1/messages/count_tokens`, {
          method: "POST",
          headers: { "x-api-key": keys.loash! },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(350) }] }),
        });
        expect(res.headers.get("x-offload-estimated")).toBe("true");
        expect(await res.json()).toEqual({ input_tokens: 100, estimated: true });
      } finally {
        process.env.ANTHROPIC_API_KEY = OPERATOR_KEY;
        resetEnv();
      }
    });
  });
}
