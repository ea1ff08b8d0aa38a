// Whether a local model can be given a request faithfully, and the request in the shapes the local
// translation knows. A request with anything else (a role other than user and assistant, a block
// type the translation would drop or garble, a server tool) is not refused: it goes to Claude, and
// the problem found here is the turn's recorded reason.
import { blocksOf, type MessagesRequest } from "./messages-request";

export type LocalTextBlock = { type: "text"; text: string };
export type LocalImageBlock = { type: "image"; source: { type: "base64"; media_type: string; data: string } };
export type LocalToolResultBlock = {
  type: "tool_result";
  tool_use_id: string;
  content?: string | LocalTextBlock[];
  is_error?: boolean;
};
export type LocalToolUseBlock = { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };
export type LocalThinkingBlock = { type: "thinking"; thinking: string };

export type LocalMessage =
  | { role: "user"; content: string | (LocalTextBlock | LocalImageBlock | LocalToolResultBlock)[] }
  | { role: "assistant"; content: string | (LocalTextBlock | LocalToolUseBlock | LocalThinkingBlock)[] };

export type LocalTool = { name: string; description?: string; input_schema: Record<string, unknown> };

export type LocalRequest = {
  model: string;
  max_tokens: number;
  messages: LocalMessage[];
  system?: string | LocalTextBlock[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  tools?: LocalTool[];
  thinking?: { type: string };
};

export type LocalReading = { ok: true; request: LocalRequest } | { ok: false; problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? `"${v.slice(0, 40)}"` : typeof v);

/** Block types each role may carry on a local lane (redacted thinking is Claude's own and is left out locally). */
const BLOCKS: Record<"user" | "assistant", ReadonlySet<string>> = {
  user: new Set(["text", "image", "tool_result"]),
  assistant: new Set(["text", "tool_use", "thinking", "redacted_thinking"]),
};

function blockProblem(b: Record<string, unknown>, where: string, role: "user" | "assistant"): string | null {
  if (typeof b.type !== "string" || !BLOCKS[role].has(b.type)) return `${where}.type is ${show(b.type)}`;
  switch (b.type) {
    case "text":
      return typeof b.text === "string" ? null : `${where}.text is not a string`;
    case "image": {
      const s = b.source;
      return isObject(s) && s.type === "base64" && typeof s.data === "string"
        ? null
        : `${where} is an image that is not inline base64`;
    }
    case "tool_result": {
      if (typeof b.tool_use_id !== "string") return `${where}.tool_use_id is not a string`;
      const c = b.content;
      if (c === undefined || typeof c === "string") return null;
      if (!Array.isArray(c)) return `${where}.content is ${show(c)}`;
      const i = c.findIndex((x) => !isObject(x) || x.type !== "text" || typeof x.text !== "string");
      return i < 0 ? null : `${where}.content.${i} is not text`;
    }
    case "tool_use":
      return typeof b.name === "string" && isObject(b.input ?? {}) ? null : `${where} is not a tool call`;
    case "thinking":
      return typeof b.thinking === "string" ? null : `${where}.thinking is not a string`;
    default:
      return null;
  }
}

function messagesProblem(messages: readonly unknown[]): string | null {
  if (messages.length === 0) return "messages is empty";
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) return `messages.${i} is not an object`;
    if (m.role !== "user" && m.role !== "assistant") return `messages.${i}.role is ${show(m.role)}`;
    if (typeof m.content === "string") continue;
    if (!Array.isArray(m.content)) return `messages.${i}.content is ${show(m.content)}`;
    for (let j = 0; j < m.content.length; j++) {
      const b = m.content[j];
      if (!isObject(b)) return `messages.${i}.content.${j} is not a block`;
      const problem = blockProblem(b, `messages.${i}.content.${j}`, m.role);
      if (problem) return problem;
    }
  }
  return null;
}

function otherProblem(body: MessagesRequest): string | null {
  const s = body.system;
  if (s !== undefined && typeof s !== "string") {
    if (!Array.isArray(s)) return `system is ${show(s)}`;
    const i = s.findIndex((b) => !isObject(b) || b.type !== "text" || typeof b.text !== "string");
    if (i >= 0) return `system.${i} is not a text block`;
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return `tools is ${show(body.tools)}`;
    for (let i = 0; i < body.tools.length; i++) {
      const t = body.tools[i];
      if (!isObject(t) || typeof t.name !== "string" || !isObject(t.input_schema))
        return `tools.${i} is ${isObject(t) && typeof t.type === "string" ? `a server tool (${t.type.slice(0, 40)})` : "not a custom tool"}`;
    }
  }
  for (const field of ["temperature", "top_p", "top_k"] as const)
    if (body[field] !== undefined && typeof body[field] !== "number") return `${field} is ${show(body[field])}`;
  if (body.stream !== undefined && typeof body.stream !== "boolean") return `stream is ${show(body.stream)}`;
  const stops = body.stop_sequences;
  if (stops !== undefined && !(Array.isArray(stops) && stops.every((x) => typeof x === "string")))
    return "stop_sequences is not a list of strings";
  if (body.thinking !== undefined && !(isObject(body.thinking) && typeof body.thinking.type === "string"))
    return "thinking is not a thinking setting";
  for (const field of ["mcp_servers", "container"] as const)
    if (body[field] !== undefined && body[field] !== null) return `${field} needs Anthropic's servers`;
  return null;
}

/** The request as a local lane takes it, or the first thing a local model could not be given faithfully. */
export function readLocalRequest(body: MessagesRequest): LocalReading {
  const problem = messagesProblem(body.messages) ?? otherProblem(body);
  if (problem) return { ok: false, problem };
  const messages = body.messages.map((m) => {
    const { role, content } = m as { role: "user" | "assistant"; content: unknown };
    if (typeof content === "string") return { role, content };
    const kept = blocksOf(content).filter((b) => b.type !== "redacted_thinking");
    return { role, content: kept };
  }) as LocalMessage[];
  return { ok: true, request: { ...(body as Omit<LocalRequest, "messages">), messages } };
}
