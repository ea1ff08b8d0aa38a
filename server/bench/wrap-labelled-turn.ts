// Labelled agent turns as the gateway meets them: each instruction placed inside the request its
// client really sends (e2e/clients/captures: OpenClaw's timestamp stamp and internal-context
// message, Claude Code's system-reminder blocks and system message), then read back by the turn
// reader, so the classifier is measured on what the gateway would hand it, not on clean text.
import fs from "node:fs";
import path from "node:path";
import type { Tier } from "@/server/core/classifier/classify-task";
import { readTurn, type TurnReading } from "@/server/core/turns/read-turn";

export type AgentTurnClient = "openclaw" | "claude-code" | "generic";

/** One line of an agent-turns set: the instruction as its author wrote it, and who sends it. */
export type LabelledAgentTurn = { client: AgentTurnClient; instruction: string; tier: Tier; taskType: string | null };

type Block = { type: string; text?: string; [field: string]: unknown };
type Message = { role: string; content: string | Block[] };
type Body = { model: string; max_tokens: number; messages: Message[]; [field: string]: unknown };
type Captured = { headers: [string, string][]; body: Body };

const capturesDir = path.join(import.meta.dirname, "..", "..", "e2e", "clients", "captures");
const cache = new Map<string, Captured>();

/** The first Messages request of a capture. */
function capturedRequest(name: string): Captured {
  let request = cache.get(name);
  if (!request) {
    const file = JSON.parse(fs.readFileSync(path.join(capturesDir, `${name}.json`), "utf8")) as {
      requests: (Captured & { url: string })[];
    };
    request = file.requests.find((r) => r.url.startsWith("/v1/messages") && !r.url.includes("count_tokens"))!;
    cache.set(name, request);
  }
  return request;
}

const userAgentOf = (c: Captured) => c.headers.find(([n]) => n.toLowerCase() === "user-agent")?.[1] ?? null;
const blocks = (content: Message["content"]): Block[] =>
  typeof content === "string" ? [{ type: "text", text: content }] : content;

/** The request the client would send for this instruction, and its User-Agent. */
export function wrapInClient(turn: Pick<LabelledAgentTurn, "client" | "instruction">): {
  body: Body;
  userAgent: string | null;
} {
  if (turn.client === "openclaw") {
    // OpenClaw: the instruction with its timestamp stamp first, its internal-context message after.
    const base = capturedRequest("openclaw-one-shot");
    const [first, ...rest] = base.body.messages;
    const [stamped, ...others] = blocks(first!.content);
    // OpenClaw stamps each instruction once; an author who wrote the stamp already keeps theirs.
    const stamp = /^\[[^\]]*\]\s*/;
    const text = stamp.test(turn.instruction)
      ? turn.instruction
      : `${stamp.exec(stamped!.text ?? "")?.[0] ?? ""}${turn.instruction}`;
    const content = [{ ...stamped!, text }, ...others];
    return { body: { ...base.body, messages: [{ ...first!, content }, ...rest] }, userAgent: userAgentOf(base) };
  }
  if (turn.client === "claude-code") {
    // Claude Code: the system-reminder blocks first in the user message, the instruction its last text block.
    const base = capturedRequest("claude-code-default-model");
    const messages = base.body.messages.map((m, i) => {
      if (i !== 0 || m.role !== "user") return m;
      const content = blocks(m.content);
      const last = content.map((b) => b.type).lastIndexOf("text");
      return { ...m, content: content.map((b, j) => (j === last ? { ...b, text: turn.instruction } : b)) };
    });
    return { body: { ...base.body, messages }, userAgent: userAgentOf(base) };
  }
  return {
    body: { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: turn.instruction }] },
    userAgent: null,
  };
}

/** What the gateway reads from the wrapped turn. */
export function readWrapped(turn: Pick<LabelledAgentTurn, "client" | "instruction">): TurnReading {
  const { body, userAgent } = wrapInClient(turn);
  return readTurn(body, { userAgent });
}
