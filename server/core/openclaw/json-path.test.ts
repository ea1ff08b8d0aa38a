import { describe, expect, it } from "vitest";
import { formatJsonPath, isRecord, readAtPath, sameJson, writeAtPath } from "./json-path";

describe("formatJsonPath", () => {
  it("spells paths as OpenClaw's CLI does", () => {
    expect(formatJsonPath(["agents", "list", 2, "model"])).toBe("agents.list[2].model");
    expect(formatJsonPath(["models", "providers", "offload-ops"])).toBe("models.providers.offload-ops");
    expect(formatJsonPath(["agents", "defaults", "models", "anthropic/claude-opus-4-6"])).toBe(
      'agents.defaults.models["anthropic/claude-opus-4-6"]',
    );
    expect(formatJsonPath(["agents", "$include"])).toBe("agents.$include");
    expect(formatJsonPath([])).toBe("(root)");
  });
});

describe("isRecord", () => {
  it("is true for objects only", () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord("x")).toBe(false);
  });
});

describe("readAtPath", () => {
  const config = { agents: { list: [{ id: "a", model: "anthropic/x" }] } };
  it("reads through objects and arrays", () => {
    expect(readAtPath(config, ["agents", "list", 0, "model"])).toBe("anthropic/x");
    expect(readAtPath(config, [])).toBe(config);
  });
  it("is undefined for missing steps and wrong container kinds", () => {
    expect(readAtPath(config, ["agents", "entries", "a"])).toBeUndefined();
    expect(readAtPath(config, ["agents", "list", "0"])).toBeUndefined();
    expect(readAtPath(config, ["agents", 0])).toBeUndefined();
    expect(readAtPath(config, ["toString"])).toBeUndefined();
  });
});

describe("writeAtPath", () => {
  it("sets values, creating objects and arrays on the way", () => {
    const config: Record<string, unknown> = {};
    writeAtPath(config, ["models", "providers", "offload-ops", "apiKey"], "${OFFLOAD_KEY_OPS}");
    writeAtPath(config, ["agents", "list", 0, "id"], "main");
    expect(config).toEqual({
      models: { providers: { "offload-ops": { apiKey: "${OFFLOAD_KEY_OPS}" } } },
      agents: { list: [{ id: "main" }] },
    });
  });
  it("removes a key (or an array item) for undefined, and creates nothing to remove", () => {
    const config: Record<string, unknown> = { a: { b: 1, c: 2 }, l: [1, 2, 3] };
    writeAtPath(config, ["a", "b"], undefined);
    writeAtPath(config, ["l", 1], undefined);
    writeAtPath(config, ["x", "y"], undefined);
    expect(config).toEqual({ a: { c: 2 }, l: [1, 3] });
  });
  it("refuses the root", () => {
    expect(() => writeAtPath({}, [], 1)).toThrow();
  });
});

describe("sameJson", () => {
  it("compares objects regardless of key order, arrays in order", () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson(undefined, null)).toBe(false);
    expect(sameJson("x", "x")).toBe(true);
    expect(sameJson({}, [])).toBe(false);
  });
});
