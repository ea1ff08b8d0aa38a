import { describe, expect, it } from "vitest";
import { describeError, spellLocation } from "./openclaw-format";

describe("the OpenClaw panel's wording", () => {
  it("spells a parse error's line and column", () => {
    expect(spellLocation("openclaw.json5:5:7: invalid character 't'")).toBe(
      "openclaw.json5, line 5, column 7: invalid character 't'",
    );
    expect(spellLocation("/home/op/.openclaw/openclaw.json: no such file")).toBe(
      "/home/op/.openclaw/openclaw.json: no such file",
    );
  });

  it("names the field by its label, once", () => {
    const labels = { configPath: "Config path", config: "OpenClaw config" };
    expect(
      describeError({ message: "configPath: an absolute path", data: { field: "configPath" } }, labels, "config"),
    ).toBe("Config path: an absolute path");
    expect(
      describeError(
        { message: "OpenClaw config /x/openclaw.json: no such file", data: { field: "config" } },
        labels,
        "x",
      ),
    ).toBe("OpenClaw config /x/openclaw.json: no such file");
    expect(describeError({ message: "a.json:2:3: invalid character", data: { field: null } }, labels, "config")).toBe(
      "OpenClaw config: a.json, line 2, column 3: invalid character",
    );
  });
});
