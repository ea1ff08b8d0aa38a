// The environment schema: defaults, empty values, one-line errors naming the variable, and the
// once-per-process env() accessor.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { env, readEnv, resetEnv } from "./env";

describe("readEnv", () => {
  it("applies the documented defaults", () => {
    expect(readEnv({})).toEqual({
      DATABASE_URL: undefined,
      OFFLOAD_DATA_DIR: "./.data",
      OLLAMA_HOST: "http://127.0.0.1:11434",
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_BASE_URL: undefined,
      OFFLOAD_ADMIN_TOKEN: undefined,
      OFFLOAD_HEALTH_INTERVAL_S: 15,
      PORT: 3000,
      OFFLOAD_DEMO: "on",
      OFFLOAD_ROOT: undefined,
    });
  });

  it("treats empty values as unset", () => {
    expect(readEnv({ DATABASE_URL: "", PORT: " " })).toMatchObject({ DATABASE_URL: undefined, PORT: 3000 });
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [{ PORT: "70000" }, /PORT/],
    [{ PORT: "abc" }, /PORT/],
    [{ OLLAMA_HOST: "gpu-box:11434" }, /OLLAMA_HOST/],
    [{ ANTHROPIC_BASE_URL: "api.anthropic.com" }, /ANTHROPIC_BASE_URL/],
    [{ OFFLOAD_ADMIN_TOKEN: "short" }, /OFFLOAD_ADMIN_TOKEN/],
    [{ OFFLOAD_HEALTH_INTERVAL_S: "0" }, /OFFLOAD_HEALTH_INTERVAL_S/],
    [{ OFFLOAD_HEALTH_INTERVAL_S: "soon" }, /OFFLOAD_HEALTH_INTERVAL_S/],
    [{ OFFLOAD_DEMO: "no" }, /OFFLOAD_DEMO/],
  ])("names the bad variable: %o", (source, message) => {
    expect(() => readEnv(source)).toThrow(message);
  });

  it("takes OFFLOAD_DEMO as on or off, and nothing else", () => {
    expect(readEnv({ OFFLOAD_DEMO: "off" }).OFFLOAD_DEMO).toBe("off");
    expect(readEnv({ OFFLOAD_DEMO: " on " }).OFFLOAD_DEMO).toBe("on");
    expect(readEnv({ OFFLOAD_DEMO: "" }).OFFLOAD_DEMO).toBe("on");
    for (const bad of ["false", "0", "OFF", "yes"]) {
      expect(() => readEnv({ OFFLOAD_DEMO: bad })).toThrow(`OFFLOAD_DEMO must be on or off, not "${bad}"`);
    }
  });

  it("resolves OFFLOAD_ROOT to an absolute path", () => {
    expect(readEnv({ OFFLOAD_ROOT: "/opt/offload" }).OFFLOAD_ROOT).toBe(path.resolve("/opt/offload"));
    expect(readEnv({ OFFLOAD_ROOT: "install" }).OFFLOAD_ROOT).toBe(path.resolve(process.cwd(), "install"));
    expect(readEnv({ OFFLOAD_ROOT: " " }).OFFLOAD_ROOT).toBeUndefined();
  });

  it("reports one line", () => {
    expect(() => readEnv({ PORT: "0", OFFLOAD_DEMO: "maybe" })).toThrow(/^[^\n]+$/);
  });
});

describe("env", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetEnv();
  });

  it("parses process.env once and keeps it until reset", () => {
    process.env.OLLAMA_HOST = "http://gpu-box:11434";
    resetEnv();
    const first = env();
    expect(first.OLLAMA_HOST).toBe("http://gpu-box:11434");
    process.env.OLLAMA_HOST = "http://other:11434";
    expect(env()).toBe(first);
    resetEnv();
    expect(env().OLLAMA_HOST).toBe("http://other:11434");
  });

  it("throws the same one-line error as readEnv for a bad value, and parses again next time", () => {
    process.env.OFFLOAD_DEMO = "sometimes";
    resetEnv();
    expect(() => env()).toThrow('OFFLOAD_DEMO must be on or off, not "sometimes"');
    process.env.OFFLOAD_DEMO = "off";
    expect(env().OFFLOAD_DEMO).toBe("off");
  });
});
