// Requests captured from the real clients (e2e/clients/captures: OpenClaw 2026.9.6, Claude Code
// 2.1.332), replayed through the gateway with default settings against fake Ollama and Anthropic:
// heartbeats and chores in OpenClaw's wrapper go to a local lane, reasoning stays on Claude, Claude
// Code's turns are classified on their instruction, and a tool loop keeps the lane its first turn set.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { updateSettings } from "@/server/db/settings";
import type { Db } from "@/server/db/client";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { resetEnv } from "@/server/process/env";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "./turn-writer";
import { invalidateGatewayState } from "./gateway-state";
import { conversationLanes } from "./conversation-lanes";
import { assignFingerprint } from "@/server/fingerprints/manage-fingerprints";
import { listTierChanges, undoTierChange } from "@/server/tiers/manage-tiers";

type Message = { role: string; content: unknown };
type Body = { model: string; max_tokens: number; messages: Message[]; [field: string]: unknown };
type Captured = { url: string; headers: [string, string][]; body: Body };

function captured(name: string): Captured[] {
  const file = new URL(`../../e2e/clients/captures/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { requests: Captured[] }).requests;
}

const STAMP = "[Mon 2026-11-30 05:02 UTC] ";
const CLASSIC_HEARTBEAT =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";
const savedEnv = { ...process.env };
const [target] = testDatabases();

/** A captured OpenClaw request with its first message's text (the instruction) replaced. */
function openclawSaying(text: string, base = captured("openclaw-one-shot")[0]!): Captured {
  const [first, ...rest] = base.body.messages;
  const content = [{ ...(first!.content as object[])[0], text }];
  return { ...base, body: { ...base.body, messages: [{ ...first!, content }, ...rest] } };
}

/** OpenClaw's session history before a turn: an earlier exchange, as OpenClaw keeps it. */
function withHistory(request: Captured): Captured {
  const earlier = captured("openclaw-one-shot")[0]!.body.messages.slice(0, 1);
  const answer = { role: "assistant", content: [{ type: "text", text: "pong" }] };
  return { ...request, body: { ...request.body, messages: [...earlier, answer, ...request.body.messages] } };
}

describe(`captured client requests replayed through the gateway (${target!.kind})`, () => {
  let db: Db;
  let offload: ServedHandlers;
  let ollama: FakeOllama;
  let claude: FakeAnthropic;
  let key: string;

  /** Sends a captured request as the client sent it, with the agent's key; the answer's x-offload-* headers. */
  async function replay(request: Captured, body: Body = request.body) {
    const headers = new Headers();
    for (const [name, value] of request.headers) {
      const lower = name.toLowerCase();
      if (["host", "connection", "content-length", "accept-encoding"].includes(lower)) continue;
      headers.set(name, lower === "x-api-key" || lower === "authorization" ? "" : value);
    }
    headers.delete("authorization");
    headers.set("x-api-key", key);
    const response = await fetch(`${offload.url}${request.url}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBe(200);
    return {
      lane: response.headers.get("x-offload-lane"),
      model: response.headers.get("x-offload-model"),
      reason: decodeURIComponent(response.headers.get("x-offload-reason") ?? ""),
      text,
    };
  }

  const lastTurn = async () => {
    await flushTurns();
    const turns = await db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    return turns.at(-1)!;
  };

  beforeAll(async () => {
    ollama = await startFakeOllama();
    claude = await startFakeAnthropic();
    Object.assign(process.env, {
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_API_KEY: "sk-ant-replay",
      ANTHROPIC_BASE_URL: claude.url,
    });
    resetEnv();
  });
  afterAll(async () => {
    await ollama?.close();
    await claude?.close();
    process.env = { ...savedEnv };
    resetEnv();
    await target!.cleanup();
  });
  beforeEach(async () => {
    resetTurnWriter();
    invalidateGatewayState();
    conversationLanes.clear();
    ollama.failAlways(null);
    claude.failAlways(null);
    ollama.requests.length = 0;
    claude.requests.length = 0;
    ollama.setModels(["qwen3:8b"]);
    db = await target!.create();
    await seedCatalogue(db);
    configureTurnWriter(async () => db);
    key = (await addAgent(db, { id: "loash", claudeModel: "claude-opus-4-6" })).key;
    offload = await serveHandlers(db);
  });
  afterEach(async () => {
    await offload?.close();
  });

  it("the default local context fits a real OpenClaw heartbeat and turn with their answer reserve", () => {
    // ~14k and ~17k estimated tokens with max_tokens 8192 (a 2,048-token reserve): 16,384 fits neither the turn nor history.
    expect(DEFAULT_SETTINGS.localContextTokens).toBe(32_768);
  });

  it("sends the captured OpenClaw heartbeat (the NO_REPLY monitor prompt) to the local lane as a heartbeat", async () => {
    const served = await replay(captured("openclaw-heartbeat")[0]!);
    expect(served).toMatchObject({ lane: "local", model: "qwen3:8b" });
    expect(served.reason).toMatch(
      /^recognised as a heartbeat \(OpenClaw's heartbeat monitor prompt\); task type heartbeat is in lane local/,
    );
    expect(await lastTurn()).toMatchObject({ lane: "local", taskTypeId: "heartbeat" });
    expect(claude.requests).toHaveLength(0);
  });

  it.each([
    ["the monitor prompt", (r: Captured) => r],
    ["the HEARTBEAT.md prompt", () => openclawSaying(`${STAMP}${CLASSIC_HEARTBEAT}`)],
    ["the heartbeat poll", () => openclawSaying(`${STAMP}[OpenClaw heartbeat poll]`)],
  ])("sends %s to the local lane, with and without session history", async (_, make) => {
    const heartbeat = make(captured("openclaw-heartbeat")[0]!);
    for (const request of [heartbeat, withHistory(heartbeat)]) {
      const served = await replay(request);
      expect(served.lane, served.reason).toBe("local");
      expect(served.reason).toMatch(/^recognised as a heartbeat/);
    }
  });

  it("sends OpenClaw chores to a local lane, read without the timestamp and the internal context", async () => {
    const write = await replay(openclawSaying(`${STAMP}write 42 to test.txt`));
    expect(write).toMatchObject({ lane: "sidecar", model: "qwen3:8b" });
    expect(write.reason).toMatch(/^classified as .+ \(0\.\d\d\); a sidecar task reached the gateway/);
    expect(await lastTurn()).toMatchObject({ taskTypeId: "file-write-literal" });
    const status = await replay(openclawSaying(`${STAMP}post the daily status report in the usual template`));
    expect(status).toMatchObject({ lane: "local", model: "qwen3:8b" });
    expect(status.reason).toMatch(/^classified as status report/);
    expect(claude.requests).toHaveLength(0);
  });

  it("keeps a code review in OpenClaw's wrapper on Claude", async () => {
    const served = await replay(
      openclawSaying(`${STAMP}review the diff of PR 12 for security problems and race conditions`),
    );
    expect(served.lane).toBe("claude");
    expect(served.reason).toMatch(/^classified as code review/);
    expect(await lastTurn()).toMatchObject({ lane: "claude", taskTypeId: "code-review" });
  });

  it("classifies Claude Code's turns on their instruction, not their system reminders", async () => {
    const [pong] = captured("claude-code-haiku");
    const review = structuredClone(pong!);
    const last = review.body.messages.at(-1)!;
    (last.content as { text: string }[]).at(-1)!.text = "review the diff of PR 12 for security problems";
    const served = await replay(review);
    expect(served.lane).toBe("claude");
    expect(served.reason).toMatch(/^classified as code review/);

    const status = structuredClone(pong!);
    (status.body.messages.at(-1)!.content as { text: string }[]).at(-1)!.text =
      "post the daily status report in the usual template";
    const statusServed = await replay(status);
    expect(statusServed.reason).toMatch(/^classified as status report/);
    expect((await lastTurn()).taskTypeId).toBe("status-report");
  });

  it("continues a tool loop on the lane its first turn set, and decides afresh after an escalation", async () => {
    const start = openclawSaying(`${STAMP}post the daily status report in the usual template`);
    const loop = (request: Captured): Body => ({
      ...request.body,
      messages: [
        ...request.body.messages,
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "read", input: { path: "STATUS.md" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "all green" }] },
      ],
    });
    expect((await replay(start)).lane).toBe("local");
    const next = await replay(start, loop(start));
    expect(next.lane).toBe("local");
    expect(next.reason).toBe("tool results: the loop continues on lane local");
    expect(await lastTurn()).toMatchObject({ lane: "local", taskTypeId: "status-report" });

    // A loop whose first turn was moved to Claude (here: a context too small) is not held to a lane.
    await updateSettings(db, { localContextTokens: 4_096 });
    invalidateGatewayState();
    const big = openclawSaying(`${STAMP}post the weekly status report in the usual template`);
    const first = await replay(big);
    expect(first.lane).toBe("claude");
    expect(first.reason).toMatch(/exceed the local context/);
    await updateSettings(db, { localContextTokens: 32_768 });
    invalidateGatewayState();
    const after = await replay(big, loop(big));
    expect(after.lane).toBe("local");
    expect(after.reason).toMatch(/^classified as status report/);
  });

  it("lets a task type header decide over a recognised heartbeat", async () => {
    const request = captured("openclaw-heartbeat")[0]!;
    const labelled = {
      ...request,
      headers: [...request.headers, ["x-offload-task-type", "code-review"]] as [string, string][],
    };
    const served = await replay(labelled);
    expect(served).toMatchObject({ lane: "claude", reason: "task type code-review is in lane claude" });
  });

  it("reads Claude Code's captured tool loop as one instruction, its tool results included", async () => {
    const [first, second] = captured("claude-code-tool-loop");
    const a = await replay(first!);
    const b = await replay(second!);
    const classified = a.reason.split("; ")[0]!;
    expect(classified).toMatch(/^classified as /);
    expect(classified).not.toMatch(/novel problem/);
    // Claude Code's role "system" messages keep it off a local lane: its first turn escalated, so its loop decides afresh.
    expect(a.reason).toMatch(/not for a local model \(messages\.\d+\.role is "system"\)/);
    expect(b.lane).toBe("claude");
    expect(b.reason.split("; ")[0]).toBe(classified);
  });

  it("routes a turn matching the operator's heartbeat pattern as a heartbeat", async () => {
    await updateSettings(db, { heartbeatPatterns: ["^check the deploy queue\\.?$"] });
    invalidateGatewayState();
    const served = await replay(openclawSaying(`${STAMP}Check the deploy queue.`));
    expect(served.lane).toBe("local");
    expect(served.reason).toMatch(/^recognised as a heartbeat \(the operator's heartbeat pattern/);
    await expect(updateSettings(db, { heartbeatPatterns: ["(unclosed"] })).rejects.toThrow();
  });

  it("fingerprints a recurring turn the same with other numbers and times, and records why it went where", async () => {
    await replay(openclawSaying(`${STAMP}Compile the vendor digest for invoices 4411-4420 due 2026-12-04`));
    const first = await lastTurn();
    await replay(
      openclawSaying(`[Tue 2026-12-01 09:15 UTC] Compile the vendor digest for invoices 5102-5110 due 2026-12-11`),
    );
    const second = await lastTurn();
    expect(first.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(first.promptTokens).toBeGreaterThan(10_000); // OpenClaw's system prompt and tools
    expect(first.contextForcedClaude).toBe(false);
    const row = await db.prisma.fingerprint.findUniqueOrThrow({ where: { id: first.fingerprint! } });
    expect(row.template).toBe("compile the vendor digest for invoices <n>-<n> due <time>");
    expect(row.taskTypeId).toBeNull();

    await replay(openclawSaying(`${STAMP}Compile the vendor digest for the new supplier`));
    expect((await lastTurn()).fingerprint).not.toBe(first.fingerprint);
  });

  it("routes the next matching turn by the operator's rule for its fingerprint, audited and undoable", async () => {
    const digest = (n: number) => openclawSaying(`${STAMP}Compile the vendor digest for invoices ${n}-${n + 9}`);
    const before = await replay(digest(4411));
    expect(before.reason).not.toMatch(/operator's rule/);
    const { fingerprint } = await lastTurn();

    const change = await assignFingerprint(db, { id: fingerprint!, taskTypeId: "status-report" }, "operator");
    expect(change).toMatchObject({ subjectType: "fingerprint", fromValue: "none", toValue: "status-report" });
    const after = await replay(digest(5102));
    expect(after).toMatchObject({ lane: "local", model: "qwen3:8b" });
    expect(after.reason).toBe(
      `the operator's rule for fingerprint ${fingerprint}; task type status-report is in lane local`,
    );
    expect(await lastTurn()).toMatchObject({ taskTypeId: "status-report", fingerprint, confidence: null });

    // Precedence: an explicit task type header and an agent's pin decide over the rule.
    const labelled = digest(6000);
    labelled.headers = [...labelled.headers, ["x-offload-task-type", "code-review"]];
    expect((await replay(labelled)).reason).toBe("task type code-review is in lane claude");
    await db.prisma.agent.update({ where: { id: "loash" }, data: { pin: "claude" } });
    invalidateGatewayState();
    expect((await replay(digest(7000))).reason).toBe("agent loash is pinned to claude");
    await db.prisma.agent.update({ where: { id: "loash" }, data: { pin: "none" } });

    const [audited] = await listTierChanges(db);
    expect(audited).toMatchObject({
      id: change!.id,
      subjectName: expect.stringContaining("compile the vendor digest"),
    });
    await undoTierChange(db, change!.id, "operator");
    const undone = await replay(digest(8000));
    expect(undone.lane).toBe(before.lane);
    expect(undone.reason).not.toMatch(/operator's rule/);
    await expect(undoTierChange(db, change!.id, "operator")).rejects.toThrow(/changed since/);
  });

  it("records a local-lane turn that went to Claude only because of the local context", async () => {
    await updateSettings(db, { localContextTokens: 8_192 });
    invalidateGatewayState();
    const heartbeat = captured("openclaw-heartbeat")[0]!;
    const served = await replay(heartbeat);
    expect(served.lane).toBe("claude");
    const turn = await lastTurn();
    expect(turn).toMatchObject({ lane: "claude", taskTypeId: "heartbeat", contextForcedClaude: true });
    expect(turn.promptTokens).toBeGreaterThan(8_192);
    // The room the gateway kept for the answer: OpenClaw's max_tokens, at most the 2,048 of the setting.
    const maxTokens = (heartbeat.body as { max_tokens: number }).max_tokens;
    expect(turn.answerReserveTokens).toBe(Math.min(maxTokens, 2_048));
  });
});
