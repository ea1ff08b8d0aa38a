// The shape limits on agents' JSON bodies: refused with a 400 naming the place, without recursion,
// and stopping at the first breach (what the check costs per turn: `npm run bench -- --json-limits`).
import { describe, expect, it } from "vitest";
import { checkJsonLimits, type JsonLimits } from "./json-limits";
import { HttpError } from "./http-error";
import { BODY_LIMITS } from "./read-request-body";

const limits: JsonLimits = { maxDepth: 64, maxStringBytes: 1_000, maxItems: 100 };
const bytes = (text: string) => new TextEncoder().encode(text);

function refusal(text: string, l: JsonLimits = limits): { message: string; field?: string } | null {
  try {
    checkJsonLimits(bytes(text), l);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    expect(e.status).toBe(400);
    expect(e.type).toBe("invalid_request_error");
    return { message: e.message, field: e.field };
  }
}

describe("checkJsonLimits", () => {
  it("refuses a 10,000-deep field (which overflowed the stack further on) and names where", () => {
    const deepArrays = `{"model":"m","metadata":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    expect(refusal(deepArrays)).toEqual({
      message: "metadata.0.0.0.0.0.0.…(56 more).0: nested deeper than 64 levels",
      field: "metadata.0.0.0.0.0.0.…(56 more).0",
    });
    const deepObjects = `{"messages":[{"content":[{"input":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}]}]}`;
    expect(refusal(deepObjects)?.message).toMatch(
      /^messages\.0\.content\.0\.input\.a\.a.*: nested deeper than 64 levels$/,
    );
    // The JSON.stringify that failed before: 64 levels pass, 65 do not.
    expect(refusal(`${"[".repeat(64)}${"]".repeat(64)}`)).toBeNull();
    expect(refusal(`${"[".repeat(65)}${"]".repeat(65)}`)?.message).toMatch(/nested deeper than 64 levels/);
  });

  it("stops at the first breach: 32 MB of brackets is refused after reading the first few dozen bytes", () => {
    const n = 16 * 1024 * 1024;
    const huge = new Uint8Array(2 * n);
    huge.fill(0x5b, 0, n);
    huge.fill(0x5d, n);
    // Which bytes the check reads (a time limit here would measure the machine, not the code).
    let furthest = -1;
    const watched = new Proxy(huge, {
      get(target, prop) {
        if (typeof prop === "string" && /^\d+$/.test(prop)) furthest = Math.max(furthest, Number(prop));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    expect(() => checkJsonLimits(watched, limits)).toThrow(/nested deeper than 64 levels/);
    expect(furthest).toBeGreaterThanOrEqual(64);
    expect(furthest).toBeLessThan(1_000);
  });

  it("refuses long strings, long arrays, objects with too many keys, and duplicate keys", () => {
    expect(refusal(`{"a":{"b":"${"x".repeat(1_001)}"}}`)).toEqual({
      message: "a.b: a string longer than 1,000 bytes",
      field: "a.b",
    });
    expect(refusal(`{"a":["${"x".repeat(1_000)}"]}`)).toBeNull();
    expect(refusal(`{"a":[1,"${"x".repeat(1_001)}"]}`)?.field).toBe("a.1");
    expect(refusal(`{"${"k".repeat(1_001)}":1}`)?.message).toBe("the request body: a key longer than 1,000 bytes");
    expect(refusal(`{"list":[${Array.from({ length: 100 }, () => 0).join(",")}]}`)).toBeNull();
    expect(refusal(`{"list":[${Array.from({ length: 101 }, () => 0).join(",")}]}`)).toEqual({
      message: "list: more than 100 items in one array",
      field: "list",
    });
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",");
    expect(refusal(`{"o":{${keys(101)}}}`)?.message).toBe("o: more than 100 keys in one object");
    expect(refusal(`{"model":"a","max_tokens":1,"model":"b"}`)).toEqual({
      message: 'the request body: duplicate key "model"',
      field: undefined,
    });
    // The same key written two ways is the same key to JSON.parse.
    expect(refusal(`{"x":[{"model":"a","\\u006dodel":"b"}]}`)?.message).toBe('x.0: duplicate key "model"');
    expect(refusal(`{"o":{${keys(50)},"k7":0}}`)?.message).toBe('o: duplicate key "k7"');
    expect(refusal(`{"a":{"clé":1,"cl\\u00e9":2}}`)?.message).toBe('a: duplicate key "clé"');
    expect(refusal(`{"a":{"clé":1,"cle":2}}`)).toBeNull();
    // Keys read from a view into a larger buffer (as a request's body often is) and from a Buffer.
    const framed = bytes(`{"key":0}{"x":{"key":1,"key":2}}`).subarray(9);
    expect(() => checkJsonLimits(framed, limits)).toThrow('x: duplicate key "key"');
    expect(() => checkJsonLimits(Buffer.from(`{"y":{"key":1,"key":2}}`), limits)).toThrow('y: duplicate key "key"');
    expect(() => checkJsonLimits(bytes(`{"key":0}{"x":{"key":1,"kez":2}}`).subarray(9), limits)).not.toThrow();
    // Same key in sibling objects, or at different levels, is fine.
    expect(refusal(`{"a":{"k":1},"b":{"k":2},"k":{"k":{"k":3}}}`)).toBeNull();
  });

  it("reads strings as JSON does: escaped quotes and backslashes, brackets and commas inside strings", () => {
    const tricky = JSON.stringify({
      a: 'he said "[[[{{{" \\',
      b: "\\\\\\",
      c: ["}", "]", ",", '\\"'],
      'k"ey': { "[": 1 },
    });
    expect(refusal(tricky, { maxDepth: 2, maxStringBytes: 100, maxItems: 4 })).toBeNull();
    expect(refusal(tricky, { maxDepth: 2, maxStringBytes: 100, maxItems: 3 })?.field).toBe("c");
  });

  it("leaves what is not JSON to JSON.parse", () => {
    for (const text of ['{"a":"unterminated', "]]]", "{,,,}", "", "\u0000", '{"a":1}}}}', "nul\u0000l"])
      expect(refusal(text), text).toBeNull();
  });

  // What it costs is `npm run bench -- --json-limits`, on the real clients' captured requests.
  it("lets a realistic turn through (a 200 KB Claude Code request) under the messages endpoint's limits", () => {
    const body = JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 32_000,
      system: [{ type: "text", text: "You are Claude Code. ".repeat(500), cache_control: { type: "ephemeral" } }],
      tools: Array.from({ length: 20 }, (_, i) => ({
        name: `tool_${i}`,
        description: "Does a thing. ".repeat(40),
        input_schema: {
          type: "object",
          properties: { path: { type: "string" }, lines: { type: "array", items: { type: "number" } } },
        },
      })),
      messages: Array.from({ length: 60 }, (_, i) => ({
        role: i % 2 ? "assistant" : "user",
        content: [{ type: "text", text: `<system-reminder>${"context ".repeat(300)}</system-reminder>` }],
      })),
    });
    const b = bytes(body);
    expect(b.length).toBeGreaterThan(150_000);
    expect(() => checkJsonLimits(b, BODY_LIMITS.messages.json)).not.toThrow();
  });
});
