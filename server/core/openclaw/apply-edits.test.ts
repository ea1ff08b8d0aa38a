import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import JSON5 from "json5";
import { applyConfigEdits, diffConfig } from "./apply-edits";
import type { ConfigEdit } from "./openclaw-types";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const edit = (path: ConfigEdit["path"], value: unknown): ConfigEdit => ({ path, value, previous: undefined });

describe("applyConfigEdits", () => {
  it("edits a JSONC file in place: comments, trailing commas and the rest of the text kept", () => {
    const before = fixture("commented.json5");
    const { text, keptLayout } = applyConfigEdits(before, [
      edit(["agents", "entries", "writer", "model"], "offload-writer/claude-opus-4-6"),
      edit(["models"], { providers: { "offload-writer": { api: "anthropic-messages" } } }),
    ]);
    expect(keptLayout).toBe(true);
    expect(text).toContain('"model": "offload-writer/claude-opus-4-6", // strict: no fallback');
    for (const comment of [
      "// Gateway runtime",
      "/* Claude by default, GPT when Anthropic is down */",
      "// inherits the default model",
    ]) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('"fallbacks": ["openai/gpt-5.4"],\n      },');
    expect(text).toContain(
      '  "models": {\n    "providers": {\n      "offload-writer": {\n        "api": "anthropic-messages"',
    );
    expect(JSON5.parse(text)).toMatchObject({
      agents: { entries: { writer: { model: "offload-writer/claude-opus-4-6" } } },
      models: { providers: { "offload-writer": { api: "anthropic-messages" } } },
    });
  });

  it("removes a key for an undefined value, and follows the file's indentation", () => {
    const before = '{\n\t"a": {\n\t\t"b": 1,\n\t\t"c": 2\n\t}\n}\n';
    const { text } = applyConfigEdits(before, [edit(["a", "b"], undefined), edit(["a", "d"], { e: [1] })]);
    expect(text).toBe('{\n\t"a": {\n\t\t"c": 2,\n\t\t"d": {\n\t\t\t"e": [\n\t\t\t\t1\n\t\t\t]\n\t\t}\n\t}\n}\n');
    const fourSpaces = applyConfigEdits('/*\n * four spaces\n */\n{\n    "a": 1\n}', [edit(["b"], { c: 1 })]).text;
    expect(fourSpaces).toBe('/*\n * four spaces\n */\n{\n    "a": 1,\n    "b": {\n        "c": 1\n    }\n}');
  });

  it("keeps a byte order mark and edits the file in place all the same", () => {
    const { text, keptLayout } = applyConfigEdits('\uFEFF{\n  // c\n  "a": 1\n}\n', [edit(["a"], 2)]);
    expect(keptLayout).toBe(true);
    expect(text).toBe('\uFEFF{\n  // c\n  "a": 2\n}\n');
  });

  it("edits list items by index", () => {
    const { text } = applyConfigEdits('{ "agents": { "list": [{ "id": "a" }, { "id": "b" }] } }', [
      edit(["agents", "list", 1, "model"], "offload-b/claude-opus-4-6"),
    ]);
    expect(JSON.parse(text)).toEqual({
      agents: { list: [{ id: "a" }, { id: "b", model: "offload-b/claude-opus-4-6" }] },
    });
  });

  it("rewrites a JSON5-only file as JSON, saying the layout was not kept", () => {
    const { text, keptLayout } = applyConfigEdits(fixture("json5-only.json5"), [
      edit(["agents", "entries", "main", "model"], "offload-main/claude-opus-4-6"),
      edit(["agents", "defaults", "model"], undefined),
    ]);
    expect(keptLayout).toBe(false);
    expect(text).toBe(
      `${JSON.stringify({ agents: { defaults: {}, entries: { main: { name: "Main Agent", model: "offload-main/claude-opus-4-6" } } } }, null, 2)}\n`,
    );
  });

  it("changes nothing without edits", () => {
    const before = fixture("commented.json5");
    expect(applyConfigEdits(before, [])).toEqual({ text: before, keptLayout: true });
  });
});

describe("diffConfig", () => {
  it("is a unified diff of the file", () => {
    const diff = diffConfig('{\n  "a": 1\n}\n', '{\n  "a": 2\n}\n', "openclaw.json");
    expect(diff.startsWith("--- openclaw.json\n+++ openclaw.json\n")).toBe(true);
    expect(diff).toContain('-  "a": 1');
    expect(diff).toContain('+  "a": 2');
    expect(diff).toContain("@@ -1,3 +1,3 @@");
  });

  it("is empty when nothing changed", () => {
    expect(diffConfig("{}", "{}", "openclaw.json")).toBe("");
  });
});
