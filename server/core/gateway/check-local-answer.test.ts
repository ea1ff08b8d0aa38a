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
      reason: "the local model's call to exec does not fit its schema: input.command is required",
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
    expect(checkSchema({ items: [{ id: 1, state: "open" }] }, schema)).toBeNull();
    expect(checkSchema({ items: [{ state: "open" }] }, schema)).toBe("input.items[0].id is required");
    expect(checkSchema({ items: [{ id: 1, state: "later" }] }, schema)).toContain("not one of");
  });
});

describe("local request policy", () => {
  it("sends prompts that would be truncated elsewhere", () => {
    expect(fitLocalContext(12_000, 1_024, 16_384)).toEqual({ fits: true });
    const fit = fitLocalContext(15_900, 1_024, 16_384);
    expect(fit.fits).toBe(false);
    if (!fit.fits) expect(fit.reason).toContain("16,384");
  });

  it("keeps the model loaded longer than the longest heartbeat", () => {
    expect(keepAliveMinutes(30, 5)).toBe(30);
    expect(keepAliveMinutes(30, 60)).toBe(65);
    expect(keepAliveMinutes(30, 0)).toBe(30);
  });
});
