// The check a Local-with-care answer must pass before the agent sees it: not empty, no refusal,
// tool calls that name a tool the request offered with arguments that fit its input schema, and
// valid JSON where the request asked for JSON. A failed check sends the request to Claude, and so
// does a call the check cannot judge (the request's schema for that tool is not a usable JSON Schema).
import { Validator, type Schema, type SchemaDraft } from "@cfworker/json-schema";

export type AnswerBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: unknown }
  | { type: "thinking"; thinking: string }
  | { type: string; [key: string]: unknown };

export type OfferedTool = { name: string; input_schema?: unknown };

export type AnswerCheck = { ok: true } | { ok: false; reason: string };

type CompiledSchema = { validator: Validator } | { invalid: string };

/** Compiled validators, one per schema object: a request's tools are compiled once however many calls use them. */
const compiled = new WeakMap<object, CompiledSchema>();

/** Keywords that only say "something inside failed"; the error worth showing is the one under them. */
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "additionalItems",
  "items",
  "prefixItems",
  "contains",
  "dependentSchemas",
  "allOf",
  "$ref",
  "$recursiveRef",
  "then",
  "else",
]);

/** The draft a schema names in `$schema`; Anthropic's tool schemas default to 2020-12. */
function draftOf(schema: object): SchemaDraft {
  const named = (schema as { $schema?: unknown }).$schema;
  if (typeof named !== "string") return "2020-12";
  if (named.includes("draft-04")) return "4";
  if (named.includes("draft-06") || named.includes("draft-07")) return "7";
  if (named.includes("2019-09")) return "2019-09";
  return "2020-12";
}

function compile(schema: object): CompiledSchema {
  let entry = compiled.get(schema);
  if (!entry) {
    try {
      // A copy: the validator annotates the schema it reads, and the request's own objects stay as they came.
      entry = { validator: new Validator(structuredClone(schema) as Schema, draftOf(schema), true) };
    } catch (err) {
      entry = { invalid: (err as Error).message };
    }
    compiled.set(schema, entry);
  }
  return entry;
}

/** "#/items/0/state" as "input.items[0].state". */
function describeLocation(location: string, root: string): string {
  return location
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), root);
}

export type SchemaCheck = { ok: true } | { ok: false; problem: string } | { ok: false; invalidSchema: string };

/**
 * Checks a value against a JSON Schema (draft 2020-12, with @cfworker/json-schema): what a tool's
 * `input_schema` allows. No schema allows anything. A schema the validator cannot use (not an
 * object, a broken pattern, a $ref to nowhere) is reported as such, never thrown.
 */
export function checkSchema(value: unknown, schema: unknown, path = "input"): SchemaCheck {
  if (schema === undefined || schema === null || schema === true) return { ok: true };
  if (schema === false) return { ok: false, problem: `${path} is not allowed by a false schema` };
  if (typeof schema !== "object" || Array.isArray(schema))
    return { ok: false, invalidSchema: `a schema must be an object or a boolean, got ${typeof schema}` };
  if (value === undefined) return { ok: false, problem: `${path} is missing` };
  const entry = compile(schema);
  if ("invalid" in entry) return { ok: false, invalidSchema: entry.invalid };
  let result: ReturnType<Validator["validate"]>;
  try {
    result = entry.validator.validate(value);
  } catch (err) {
    // The validator reads the schema lazily: a bad pattern or an unresolved $ref surfaces here.
    return { ok: false, invalidSchema: (err as Error).message.split("\n")[0]!.trim() };
  }
  if (result.valid) return { ok: true };
  const error = result.errors.find((e) => !WRAPPERS.has(e.keyword)) ?? result.errors.at(-1);
  if (!error) return { ok: false, problem: `${path} does not fit the schema` };
  return {
    ok: false,
    problem: `${describeLocation(error.instanceLocation, path)}: ${error.error.replace(/\.$/, "")}`,
  };
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
    const check = checkSchema(call.input, offered.input_schema);
    if ("invalidSchema" in check)
      return {
        ok: false,
        reason: `the local model's call to ${call.name} could not be checked: the request's input_schema for it is not a usable JSON Schema (${check.invalidSchema})`,
      };
    if (!check.ok)
      return { ok: false, reason: `the local model's call to ${call.name} does not fit its schema: ${check.problem}` };
  }
  if (request.wantsJson && tools.length === 0 && !parsesAsJson(text))
    return { ok: false, reason: "the request asked for JSON and the local answer is not valid JSON" };
  return { ok: true };
}
