import { describe, expect, it } from "vitest";
import { keyEnvName, offloadProviderId, toOffloadAgentId } from "./openclaw-names";

// Offload's agentIdSchema (server/agents/manage-agents.ts), which the core may not import.
const OFFLOAD_ID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

describe("toOffloadAgentId", () => {
  it("keeps an id that is already a slug", () => {
    expect(toOffloadAgentId("ops")).toBe("ops");
    expect(toOffloadAgentId("worker-1")).toBe("worker-1");
  });

  it("lowercases, turns other characters into hyphens and trims them", () => {
    expect(toOffloadAgentId("Ops_Bot")).toBe("ops-bot");
    expect(toOffloadAgentId("  My Agent!  ")).toBe("my-agent");
    expect(toOffloadAgentId("__main__")).toBe("main");
    expect(toOffloadAgentId("a.b/c")).toBe("a-b-c");
  });

  it("stays within 63 characters, ending on a letter or digit", () => {
    const id = toOffloadAgentId(`${"a".repeat(62)}_b`);
    expect(id).toBe("a".repeat(62));
    expect(id.length).toBeLessThanOrEqual(63);
  });

  it("falls back to main when nothing is left, as OpenClaw does", () => {
    expect(toOffloadAgentId("🦥")).toBe("main");
    expect(toOffloadAgentId("")).toBe("main");
  });

  it("always yields a valid Offload id", () => {
    for (const id of ["Ops", "a--b", "-x-", "A_B_C", "ünïcode", "x".repeat(100), "1", "--"]) {
      expect(toOffloadAgentId(id)).toMatch(OFFLOAD_ID);
    }
  });
});

describe("keyEnvName", () => {
  it("uppercases the id with every other character as an underscore", () => {
    expect(keyEnvName("ops")).toBe("OFFLOAD_KEY_OPS");
    expect(keyEnvName("worker-1")).toBe("OFFLOAD_KEY_WORKER_1");
  });

  it("is a name OpenClaw substitutes", () => {
    for (const id of ["ops", "worker-1", "a-b-c", "9lives"]) expect(keyEnvName(id)).toMatch(/^[A-Z_][A-Z0-9_]*$/);
  });
});

describe("offloadProviderId", () => {
  it("prefixes offload-", () => {
    expect(offloadProviderId("ops")).toBe("offload-ops");
  });
});
