import { describe, expect, it } from "vitest";
import { asksForJson, checkLocalAnswer, checkSchema } from "./check-local-answer";
import { fitLocalContext, keepAliveMinutes } from "./local-request-policy";

const execTool = {
  name: "exec",
  input_schema: {
    type: "object",
    properties: { command: { type: "string" }, timeout: { type: "integer" } },
    required: ["command"],
  },
};

describe("checkLocalAnswer", () => {
  it("passes a plain answer and a well-formed tool call", () => {
    expect(checkLocalAnswer([{ type: "text", text: "HEARTBEAT_OK" }], { wantsJson: false })).toEqual({ ok: true });
    expect(
      checkLocalAnswer([{ type: "tool_use", name: "exec", input: { command: "git status", timeout: 5 } }], {
        tools: [execTool],
        wantsJson: false,
      }),
    ).toEqual({ ok: true });
  });

  it("fails empty answers and refusals", () => {
    expect(checkLocalAnswer([], { wantsJson: false }).ok).toBe(false);
    expect(
      checkLocalAnswer(
        [
          { type: "text", text: "   " },
          { type: "thinking", thinking: "hmm" },
        ],
        { wantsJson: false },
      ).ok,
    ).toBe(false);
    expect(
      checkLocalAnswer([{ type: "text", text: "I'm sorry, but I can't help with that." }], { wantsJson: false }),
    ).toMatchObject({ ok: false, reason: "the local model refused" });
  });

  it("fails tool calls to unknown tools or with arguments that do not fit the schema", () => {
    expect(
      checkLocalAnswer([{ type: "tool_use", name: "rm", input: {} }], { tools: [execTool], wantsJson: false }),
    ).toMatchObject({ ok: false });
    const missing = checkLocalAnswer([{ type: "tool_use", name: "exec", input: { timeout: 5 } }], {
      tools: [execTool],
      wantsJson: false,
    });
    expect(missing).toEqual({
      ok: false,
      reason:
        'the local model\'s call to exec does not fit its schema: input: Instance does not have required property "command"',
    });
    expect(
      checkLocalAnswer([{ type: "tool_use", name: "exec", input: { command: "ls", timeout: 1.5 } }], {
        tools: [execTool],
        wantsJson: false,
      }).ok,
    ).toBe(false);
  });

  it("requires valid JSON when the request asked for it (fenced or bare)", () => {
    expect(checkLocalAnswer([{ type: "text", text: '{"count": 3}' }], { wantsJson: true }).ok).toBe(true);
    expect(checkLocalAnswer([{ type: "text", text: "```json\n[1, 2]\n```" }], { wantsJson: true }).ok).toBe(true);
    expect(checkLocalAnswer([{ type: "text", text: "count: 3" }], { wantsJson: true }).ok).toBe(false);
  });
});

describe("asksForJson", () => {
  it("recognises requests for JSON", () => {
    expect(asksForJson("Parse BACKLOG.md and respond with JSON only")).toBe(true);
    expect(asksForJson("return the items as JSON")).toBe(true);
    expect(asksForJson("write package.json to disk")).toBe(false);
  });
});

describe("checkSchema", () => {
  it("checks nested properties, arrays and enums", () => {
    const schema = {
      type: "object",
      properties: {
        items: {
          type: "array",
          items: { type: "object", required: ["id"], properties: { state: { enum: ["open", "done"] } } },
        },
      },
    };
    expect(checkSchema({ items: [{ id: 1, state: "open" }] }, schema)).toEqual({ ok: true });
    expect(checkSchema({ items: [{ state: "open" }] }, schema)).toEqual({
      ok: false,
      problem: 'input.items[0]: Instance does not have required property "id"',
    });
    expect(checkSchema({ items: [{ id: 1, state: "later" }] }, schema)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^input\.items\[0\]\.state: .*"open","done"/),
    });
  });

  it("checks anyOf", () => {
    const schema = { type: "object", properties: { ref: { anyOf: [{ type: "string" }, { type: "integer" }] } } };
    expect(checkSchema({ ref: "main" }, schema)).toEqual({ ok: true });
    expect(checkSchema({ ref: 42 }, schema)).toEqual({ ok: true });
    expect(checkSchema({ ref: true }, schema)).toEqual({
      ok: false,
      problem: "input.ref: Instance does not match any subschemas",
    });
  });

  it("checks additionalProperties", () => {
    const schema = { type: "object", properties: { path: { type: "string" } }, additionalProperties: false };
    expect(checkSchema({ path: "a.txt" }, schema)).toEqual({ ok: true });
    expect(checkSchema({ path: "a.txt", mode: "rm -rf" }, schema)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('"mode"'),
    });
    const typed = { type: "object", additionalProperties: { type: "number" } };
    expect(checkSchema({ a: 1, b: 2.5 }, typed)).toEqual({ ok: true });
    expect(checkSchema({ a: 1, b: "two" }, typed).ok).toBe(false);
  });

  it("checks minimum (and its exclusive and maximum kin)", () => {
    const schema = { type: "object", properties: { timeout: { type: "integer", minimum: 1, maximum: 600 } } };
    expect(checkSchema({ timeout: 1 }, schema)).toEqual({ ok: true });
    expect(checkSchema({ timeout: 0 }, schema)).toEqual({ ok: false, problem: "input.timeout: 0 is less than 1" });
    expect(checkSchema({ timeout: 601 }, schema).ok).toBe(false);
    expect(checkSchema(1, { type: "number", exclusiveMinimum: 1 }).ok).toBe(false);
  });

  it("checks pattern", () => {
    const schema = { type: "object", properties: { branch: { type: "string", pattern: "^(feat|fix)/[a-z0-9-]+$" } } };
    expect(checkSchema({ branch: "feat/add-login" }, schema)).toEqual({ ok: true });
    expect(checkSchema({ branch: "Add login" }, schema)).toEqual({
      ok: false,
      problem: "input.branch: String does not match pattern",
    });
  });

  it("allows anything without a schema, nothing with a false one", () => {
    expect(checkSchema({ a: 1 }, undefined)).toEqual({ ok: true });
    expect(checkSchema({ a: 1 }, true)).toEqual({ ok: true });
    expect(checkSchema({ a: 1 }, false).ok).toBe(false);
  });

  it("reports a schema it cannot use instead of throwing", () => {
    const broken: unknown[] = [
      "object",
      42,
      [{ type: "string" }],
      { type: "object", properties: { b: { type: "string", pattern: "(" } } },
      { $ref: "#/$defs/missing" },
      { anyOf: 3 },
      { enum: "open" },
    ];
    for (const schema of broken) {
      const check = checkSchema({ b: "x" }, schema);
      expect(check, JSON.stringify(schema)).toMatchObject({ ok: false, invalidSchema: expect.any(String) });
    }
  });

  it("compiles a schema object once and leaves it as it came", () => {
    const schema = { type: "object", properties: { n: { type: "integer", minimum: 0 } } };
    const before = JSON.stringify(schema);
    const keysBefore = Reflect.ownKeys(schema);
    expect(checkSchema({ n: 1 }, schema)).toEqual({ ok: true });
    expect(checkSchema({ n: -1 }, schema).ok).toBe(false);
    expect(JSON.stringify(schema)).toBe(before);
    expect(Reflect.ownKeys(schema)).toEqual(keysBefore);
    // The compiled validator is kept per schema object (a copy taken when first compiled): a later
    // change to the same object is not seen, a new object is compiled afresh.
    schema.properties.n.minimum = -5;
    expect(checkSchema({ n: -1 }, schema).ok).toBe(false);
    expect(checkSchema({ n: -1 }, structuredClone(schema))).toEqual({ ok: true });
  });
});

describe("checkLocalAnswer with richer schemas", () => {
  const fileTool = {
    name: "write_file",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", pattern: "^[^/]" },
        content: { type: "string" },
        mode: { anyOf: [{ const: "overwrite" }, { const: "append" }] },
        retries: { type: "integer", minimum: 0 },
      },
      required: ["path", "content"],
      additionalProperties: false,
    },
  };
  const call = (input: unknown, tools: { name: string; input_schema?: unknown }[] = [fileTool]) =>
    checkLocalAnswer([{ type: "tool_use", name: "write_file", input }], { tools, wantsJson: false });

  it("passes a call that fits and escalates one that breaks anyOf, additionalProperties, minimum or pattern", () => {
    expect(call({ path: "notes.txt", content: "42", mode: "append", retries: 2 })).toEqual({ ok: true });
    for (const input of [
      { path: "notes.txt", content: "42", mode: "truncate" },
      { path: "notes.txt", content: "42", owner: "root" },
      { path: "notes.txt", content: "42", retries: -1 },
      { path: "/etc/passwd", content: "42" },
    ]) {
      const check = call(input);
      expect(check, JSON.stringify(input)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^the local model's call to write_file does not fit its schema: input/),
      });
    }
  });

  it("escalates, without throwing, a call whose tool schema the check cannot use, and says why", () => {
    const broken = { name: "write_file", input_schema: { type: "object", properties: { path: { pattern: "([" } } } };
    const check = call({ path: "notes.txt" }, [broken]);
    expect(check).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^the local model's call to write_file could not be checked: the request's input_schema for it is not a usable JSON Schema \(.+\)$/,
      ),
    });
    expect(call({ path: "notes.txt" }, [{ name: "write_file", input_schema: "object" }])).toMatchObject({
      ok: false,
      reason: expect.stringContaining("could not be checked"),
    });
  });
});

describe("local request policy", () => {
  it("sends prompts that would be truncated elsewhere", () => {
    expect(fitLocalContext(12_000, 1_024, 16_384)).toEqual({ fits: true, need: 13_024 });
    const fit = fitLocalContext(15_900, 1_024, 16_384);
    expect(fit.fits).toBe(false);
    if (!fit.fits) expect(fit.reason).toContain("16,384");
  });

  it("keeps the operator's answer reserve, or the request's max_tokens when smaller", () => {
    expect(fitLocalContext(15_000, 4_096, 16_384, 1_024)).toEqual({ fits: true, need: 16_024 });
    expect(fitLocalContext(15_000, 4_096, 16_384, 2_048).fits).toBe(false);
    expect(fitLocalContext(15_000, 512, 16_384, 4_096)).toEqual({ fits: true, need: 15_512 });
  });

  it("keeps the model loaded longer than the longest heartbeat", () => {
    expect(keepAliveMinutes(30, 5)).toBe(30);
    expect(keepAliveMinutes(30, 60)).toBe(65);
    expect(keepAliveMinutes(30, 0)).toBe(30);
  });
});
