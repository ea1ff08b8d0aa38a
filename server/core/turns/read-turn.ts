// What a turn is about, read from a Messages request: which client sent it (core/turns/client-profiles),
// the latest human or automation instruction with the client's injected context and stamps removed,
// whether the turn only returns tool results (it continues a loop begun by an earlier turn) or is a
// heartbeat, and a key for the conversation (a hash of its first message) that ties a loop's turns together.
import { blocksOf, textOf } from "../gateway/messages-request";
import { CLIENT_PROFILES, GENERIC, type ClientId, type ClientProfile } from "./client-profiles";
import { recogniseHeartbeat, type HeartbeatMatch } from "./recognise-heartbeat";

export type TurnKind = "instruction" | "tool-results" | "heartbeat";

export type TurnReading = {
  /** The instruction the turn is about, as its human or automation wrote it ("" when there is none). */
  instruction: string;
  client: ClientId;
  kind: TurnKind;
  /** What recognised the instruction as a heartbeat (also set on a heartbeat's tool-results turns). */
  heartbeat: HeartbeatMatch | null;
  /** A hash of the conversation's first message: the same for every turn of one conversation. */
  conversationKey: string;
};

export type ReadTurnOptions = {
  /** The request's User-Agent header, when the caller has it. */
  userAgent?: string | null;
  /** The operator's heartbeat patterns (setting heartbeatPatterns). */
  heartbeatPatterns?: readonly string[];
};

type Request = { messages: readonly unknown[]; system?: unknown };
type Message = { role?: unknown; content?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Only the system prompt's start is searched for a client's marks (a prompt can be 50 KB). */
const SYSTEM_HEAD = 4_000;
/** Only this many of the latest user messages are searched for a client's markers. */
const MARKED_MESSAGES = 8;

function systemHead(system: unknown): string {
  const text = typeof system === "string" ? system : textOf(system);
  return text.slice(0, SYSTEM_HEAD);
}

/** The client that sent the request: by user agent, then system prompt, then markers in user text. */
export function recogniseClient(request: Request, userAgent?: string | null): ClientProfile {
  const ua = userAgent?.trim() ?? "";
  if (ua) for (const p of CLIENT_PROFILES) if (p.recognise.userAgent.some((re) => re.test(ua))) return p;
  const head = systemHead(request.system);
  if (head) for (const p of CLIENT_PROFILES) if (p.recognise.system.some((re) => re.test(head))) return p;
  // The markers of the latest user messages (a long conversation is not searched whole).
  const users = request.messages.filter((m) => isObject(m) && m.role === "user").slice(-MARKED_MESSAGES);
  for (const m of users as Message[]) {
    const text = textOf(m.content);
    for (const p of CLIENT_PROFILES) if (p.recognise.userText.some((re) => re.test(text))) return p;
  }
  return GENERIC;
}

/** One text as its author wrote it: the client's injected context and stamps removed. */
export function cleanText(text: string, profile: ClientProfile): string {
  let out = text;
  for (const re of profile.injected) out = out.replace(re, "");
  out = out.trim();
  for (const re of profile.prefixes) out = out.replace(re, "");
  return out.trim();
}

/** A user message's own words: each text block cleaned, the non-empty ones one per line. */
function wordsOf(message: Message, profile: ClientProfile): string {
  return blocksOf(message.content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => cleanText(b.text as string, profile))
    .filter(Boolean)
    .join("\n");
}

/** FNV-1a over the string's UTF-16 units, two seeds: 16 hex digits, pure and fast (not cryptographic). */
export function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** The conversation's key: its first message (role and content) hashed; later turns only append. */
function conversationKeyOf(messages: readonly unknown[]): string {
  const first = messages.find(isObject);
  return hashText(first ? JSON.stringify([first.role ?? null, first.content ?? null]) : "");
}

export function readTurn(request: Request, options: ReadTurnOptions = {}): TurnReading {
  const profile = recogniseClient(request, options.userAgent);
  const users = request.messages.filter((m): m is Message => isObject(m) && m.role === "user");
  const last = users.at(-1);
  const returnsToolResults =
    !!last && blocksOf(last.content).some((b) => b.type === "tool_result") && !wordsOf(last, profile);
  let instruction = "";
  for (let i = users.length - 1; i >= 0 && !instruction; i--) instruction = wordsOf(users[i]!, profile);
  const heartbeat = recogniseHeartbeat(instruction, options.heartbeatPatterns);
  return {
    instruction,
    client: profile.id,
    kind: returnsToolResults ? "tool-results" : heartbeat ? "heartbeat" : "instruction",
    heartbeat,
    conversationKey: conversationKeyOf(request.messages),
  };
}
