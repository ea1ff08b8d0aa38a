// The turn reader on requests captured from the real clients (e2e/clients/captures: OpenClaw
// 2026.9.6 and Claude Code 2.1.332, keys replaced) and on the shapes around them: the instruction
// without the client's wrapper, the client, heartbeats, tool loops and the conversation key.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readTurn, recogniseClient, type ReadTurnOptions } from "./read-turn";

type Captured = { method: string; url: string; headers: [string, string][]; body: Body };
type Body = { model: string; max_tokens: number; messages: Message[]; system?: unknown; [field: string]: unknown };
type Message = { role: string; content: unknown };

/** The requests of one capture, in the order the client sent them. */
function capturedRequests(name: string): Captured[] {
  const file = new URL(`../../../e2e/clients/captures/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { requests: Captured[] }).requests;
}

const userAgentOf = (r: Captured) => r.headers.find(([k]) => k.toLowerCase() === "user-agent")?.[1] ?? null;
const read = (r: Captured, options: ReadTurnOptions = {}) =>
  readTurn(r.body, { userAgent: userAgentOf(r), ...options });

describe("readTurn on captured OpenClaw requests", () => {
  const [oneShot] = capturedRequests("openclaw-one-shot");
  const [heartbeat] = capturedRequests("openclaw-heartbeat");

  it("reads a one-shot as its instruction, without the timestamp or the internal context", () => {
    const turn = read(oneShot!);
    expect(turn).toMatchObject({
      instruction: "Reply with the single word pong.",
      client: "openclaw",
      kind: "instruction",
      heartbeat: null,
    });
  });

  it("recognises OpenClaw without its user agent (undici), by its system prompt or its internal context", () => {
    expect(userAgentOf(oneShot!)).toBe("undici");
    expect(recogniseClient(oneShot!.body).id).toBe("openclaw");
    expect(recogniseClient({ messages: oneShot!.body.messages }).id).toBe("openclaw");
  });

  it("reads the heartbeat as a heartbeat: the monitor prompt without its clock lines", () => {
    const turn = read(heartbeat!);
    expect(turn.kind).toBe("heartbeat");
    expect(turn.client).toBe("openclaw");
    expect(turn.heartbeat).toEqual({ by: "OpenClaw's heartbeat monitor prompt" });
    expect(turn.instruction).toMatch(/^Follow the heartbeat monitor scratch context/);
    expect(turn.instruction).toMatch(/reply NO_REPLY\.$/);
    expect(turn.instruction).not.toMatch(/Current time|Reference UTC|INTERNAL_CONTEXT|Check the deploy queue/);
  });

  it("reads a heartbeat in a session with history as a heartbeat, and keeps the session's key", () => {
    const [first, context] = oneShot!.body.messages;
    const hb = heartbeat!.body.messages;
    const body = {
      ...heartbeat!.body,
      messages: [first!, context!, { role: "assistant", content: [{ type: "text", text: "pong" }] }, ...hb],
    };
    const turn = readTurn(body);
    expect(turn.kind).toBe("heartbeat");
    expect(turn.conversationKey).toBe(read(oneShot!).conversationKey);
  });

  it("takes the latest instruction of a session, its stamp removed", () => {
    const body = {
      ...oneShot!.body,
      messages: [
        ...oneShot!.body.messages,
        { role: "assistant", content: [{ type: "text", text: "pong" }] },
        { role: "user", content: "[Mon 2026-11-30 05:02 UTC] write 42 to test.txt" },
        oneShot!.body.messages[1]!,
      ],
    };
    expect(readTurn(body)).toMatchObject({ instruction: "write 42 to test.txt", kind: "instruction" });
  });
});

describe("readTurn on captured Claude Code requests", () => {
  it.each(["claude-code-default-model", "claude-code-haiku"])("%s: the prompt without its system reminders", (name) => {
    const [request] = capturedRequests(name);
    expect(read(request!)).toMatchObject({
      instruction: "Reply with the single word pong.",
      client: "claude-code",
      kind: "instruction",
    });
  });

  it("recognises Claude Code by its user agent, its system prompt or its reminders", () => {
    const [request] = capturedRequests("claude-code-haiku");
    expect(recogniseClient(request!.body, userAgentOf(request!)).id).toBe("claude-code");
    expect(recogniseClient(request!.body).id).toBe("claude-code");
    expect(recogniseClient({ messages: request!.body.messages }).id).toBe("claude-code");
  });

  it("reads a tool loop's second request as tool results of the first turn's conversation and instruction", () => {
    const [first, second] = capturedRequests("claude-code-tool-loop");
    const a = read(first!);
    const b = read(second!);
    expect(a).toMatchObject({ kind: "instruction", instruction: "Read notes.txt and tell me the launch code." });
    expect(b).toMatchObject({ kind: "tool-results", instruction: "Read notes.txt and tell me the launch code." });
    expect(b.conversationKey).toBe(a.conversationKey);
  });

  it("reads tool results that carry only system reminders as tool results", () => {
    const [, second] = capturedRequests("claude-code-tool-loop");
    const messages = [...second!.body.messages];
    const last = messages.pop()!;
    const content = [
      ...(last.content as unknown[]),
      { type: "text", text: "<system-reminder>\nThe task tools haven't been used recently.\n</system-reminder>" },
    ];
    expect(readTurn({ ...second!.body, messages: [...messages, { role: "user", content }] }).kind).toBe("tool-results");
  });

  it("tells conversations apart by their first message", () => {
    const [loop] = capturedRequests("claude-code-tool-loop");
    const [pong] = capturedRequests("claude-code-default-model");
    expect(read(loop!).conversationKey).not.toBe(read(pong!).conversationKey);
  });
});

describe("readTurn on a generic client", () => {
  it("reads the last user text as sent, and leaves look-alike wrappers alone", () => {
    const turn = readTurn({
      messages: [{ role: "user", content: "[Mon 2026-11-30 01:52 UTC] explain this <system-reminder> tag" }],
    });
    expect(turn).toMatchObject({ client: "generic", kind: "instruction" });
    // A generic client's text is its author's: nothing is removed.
    expect(turn.instruction).toBe("[Mon 2026-11-30 01:52 UTC] explain this <system-reminder> tag");
  });

  it("has no instruction when no user message has words", () => {
    expect(readTurn({ messages: [] })).toMatchObject({ instruction: "", kind: "instruction", heartbeat: null });
    expect(readTurn({ messages: [{ role: "assistant", content: "hi" }] }).instruction).toBe("");
  });

  it("applies the operator's heartbeat patterns", () => {
    const body = { messages: [{ role: "user", content: "ping from cron: all quiet?" }] };
    expect(readTurn(body).kind).toBe("instruction");
    expect(readTurn(body, { heartbeatPatterns: ["^ping from cron\\b"] })).toMatchObject({
      kind: "heartbeat",
      heartbeat: { by: "the operator's heartbeat pattern /^ping from cron\\b/" },
    });
  });
});
