import { describe, expect, it } from "vitest";
import { readEnv } from "./env";

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
  ])("names the bad variable: %o", (env, message) => {
    expect(() => readEnv(env)).toThrow(message);
  });
});
