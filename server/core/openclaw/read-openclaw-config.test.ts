import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OffloadError } from "../errors";
import { OpenClawParseError, parseOpenClawConfig } from "./read-openclaw-config";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseOpenClawConfig", () => {
  it("reads JSON5 (comments, unquoted keys, single quotes, trailing commas) and keeps the text", () => {
    const text = fixture("json5-only.json5");
    const file = parseOpenClawConfig(text);
    expect(file.text).toBe(text);
    expect(file.config).toEqual({
      agents: { defaults: { model: "anthropic/claude-opus-4-6" }, entries: { main: { name: "Main Agent" } } },
    });
    expect(file.includes).toEqual([]);
    expect(parseOpenClawConfig(fixture("commented.json5")).config).toHaveProperty("gateway.port", 18789);
  });

  it("reports a syntax error with the file name, line and column, as a BAD_REQUEST on `config`", () => {
    let caught: unknown;
    try {
      parseOpenClawConfig(fixture("broken.json5"), "openclaw.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenClawParseError);
    expect(caught).toBeInstanceOf(OffloadError);
    const error = caught as OpenClawParseError;
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.field).toBe("config");
    expect(error.message).toBe("openclaw.json:11:26: invalid character '_'");
    expect(error.info).toEqual({ message: "invalid character '_'", line: 11, column: 26 });
  });

  it("names the file it was given, and reports an empty file", () => {
    expect(() => parseOpenClawConfig("", "home.json5")).toThrow(/^home\.json5:1:1: invalid end of input$/);
  });

  it("refuses a top level that is not an object", () => {
    for (const text of ["[]", "42", '"agents"', "null"]) {
      expect(() => parseOpenClawConfig(text)).toThrow(
        expect.objectContaining({
          code: "BAD_REQUEST",
          field: "config",
          message: expect.stringMatching(/^openclaw\.json: the top level must be an object/),
        }),
      );
    }
  });

  it("collects $include directives anywhere, without following them", () => {
    const file = parseOpenClawConfig(`{
      gateway: { port: 18789 },
      agents: { $include: "./agents.json5" },
      broadcast: { $include: ["./clients/a.json5", "./clients/b.json5"] },
      models: { providers: { "lan-box": { $include: "./lan.json5" } } },
      bindings: [{ $include: "./binding.json5" }],
    }`);
    expect(file.includes).toEqual([
      { path: "agents.$include", target: "./agents.json5" },
      { path: "broadcast.$include[0]", target: "./clients/a.json5" },
      { path: "broadcast.$include[1]", target: "./clients/b.json5" },
      { path: "models.providers.lan-box.$include", target: "./lan.json5" },
      { path: "bindings[0].$include", target: "./binding.json5" },
    ]);
    expect(file.config.agents).toEqual({ $include: "./agents.json5" });
  });
});
