// The check a Local-with-care answer must pass before the agent sees it: not empty, no refusal,
// tool calls that name a tool the request offered with arguments that fit its input schema, and
// valid JSON where the request asked for JSON. A failed check sends the request to Claude.

export type AnswerBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: unknown }
  | { type: "thinking"; thinking: string }
  | { type: string; [key: string]: unknown };

export type OfferedTool = { name: string; input_schema?: unknown };

export type AnswerCheck = { ok: true } | { ok: false; reason: string };

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
  const actual = typeOf(v);
  return actual === type || (type === "number" && actual === "integer");
}

/** A small JSON-schema check: type, required, properties, items, enum (what tool schemas use). */
export function checkSchema(value: unknown, schema: unknown, path = "input"): string | null {
  if (!schema || typeof schema !== "object") return null;
  const s = schema as Schema;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => matchesType(value, t)))
      return `${path} should be ${types.join(" or ")}, got ${typeOf(value)}`;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return `${path} is not one of ${JSON.stringify(s.enum)}`;
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? [])
      if (!(key in obj) || obj[key] === undefined) return `${path}.${key} is required`;
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (key in obj) {
        const problem = checkSchema(obj[key], sub, `${path}.${key}`);
        if (problem) return problem;
      }
    }
  }
  if (typeOf(value) === "array" && s.items) {
    for (const [i, item] of (value as unknown[]).entries()) {
      const problem = checkSchema(item, s.items, `${path}[${i}]`);
      if (problem) return problem;
    }
  }
  return null;
}

const REFUSAL =
  /^\s*(i'?m sorry|i am sorry|sorry, i can|i can(no|')t (help|assist|do)|i am unable|i'?m unable|as an ai\b|i won'?t be able)/i;

/** Whether the request asks for a JSON answer: the last user text or the system prompt says so. */
export function asksForJson(text: string): boolean {
  return /\b(respond|reply|answer|output|return|print|give)\b[^.\n]{0,40}\bjson\b|\bjson (only|object|array)\b|\bas json\b|\bin json\b|\bvalid json\b/i.test(
    text,
  );
}

function parsesAsJson(text: string): boolean {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const candidate = (fenced ? fenced[1]! : text).trim();
  if (!candidate) return false;
  try {
    JSON.parse(candidate);
    return true;
  } catch {
    return false;
  }
}

export function checkLocalAnswer(
  blocks: readonly AnswerBlock[],
  request: { tools?: readonly OfferedTool[]; wantsJson: boolean },
): AnswerCheck {
  const texts = blocks.filter(
    (b): b is { type: "text"; text: string } => b.type === "text" && typeof b.text === "string",
  );
  const tools = blocks.filter((b): b is { type: "tool_use"; name: string; input: unknown } => b.type === "tool_use");
  const text = texts
    .map((b) => b.text)
    .join("\n")
    .trim();
  if (!text && tools.length === 0) return { ok: false, reason: "the local answer is empty" };
  if (text && REFUSAL.test(text)) return { ok: false, reason: "the local model refused" };
  for (const call of tools) {
    const offered = request.tools?.find((t) => t.name === call.name);
    if (!offered) return { ok: false, reason: `the local model called ${call.name}, a tool the request did not offer` };
    const problem = checkSchema(call.input, offered.input_schema);
    if (problem)
      return { ok: false, reason: `the local model's call to ${call.name} does not fit its schema: ${problem}` };
  }
  if (request.wantsJson && tools.length === 0 && !parsesAsJson(text))
    return { ok: false, reason: "the request asked for JSON and the local answer is not valid JSON" };
  return { ok: true };
}
