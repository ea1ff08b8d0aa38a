// The Host header check against DNS rebinding: which names a server answers to, by how it is bound.
import { describe, expect, it } from "vitest";
import { readEnv } from "@/server/process/env";
import { hostName, hostPolicy, isServedHost } from "./allowed-hosts";

describe("the Host header check", () => {
  it("answers only this machine's names on a loopback install", () => {
    const policy = hostPolicy(readEnv({}));
    for (const host of [
      "localhost:3000",
      "127.0.0.1:3000",
      "[::1]:3000",
      "LOCALHOST",
      "app.localhost:3000",
      "localhost.",
    ])
      expect(isServedHost(policy, host), host).toBe(true);
    for (const host of [
      "evil.example:3000",
      "evil.example",
      "127.0.0.1.nip.io",
      "localhost.evil.example",
      "",
      undefined,
    ])
      expect(isServedHost(policy, host), String(host)).toBe(false);
  });

  it("adds the bound address and OFFLOAD_ALLOWED_HOSTS", () => {
    const policy = hostPolicy(readEnv({ OFFLOAD_HOST: "127.0.0.2", OFFLOAD_ALLOWED_HOSTS: "offload.lan,fd00::5" }));
    for (const host of ["127.0.0.2:3000", "offload.lan", "offload.lan:3000", "[fd00::5]:3000", "localhost"])
      expect(isServedHost(policy, host), host).toBe(true);
    expect(isServedHost(policy, "other.lan")).toBe(false);
  });

  it("answers any Host when an admin token protects the server (and no list is given)", () => {
    expect(hostPolicy(readEnv({ OFFLOAD_ADMIN_TOKEN: "a-long-admin-token", OFFLOAD_HOST: "0.0.0.0" }))).toBeNull();
    expect(isServedHost(null, "whatever.example")).toBe(true);
    const listed = hostPolicy(
      readEnv({
        OFFLOAD_ADMIN_TOKEN: "a-long-admin-token",
        OFFLOAD_HOST: "0.0.0.0",
        OFFLOAD_ALLOWED_HOSTS: "offload.lan",
      }),
    );
    expect(isServedHost(listed, "offload.lan:3000")).toBe(true);
    expect(isServedHost(listed, "0.0.0.0:3000")).toBe(false);
    expect(isServedHost(listed, "evil.example")).toBe(false);
  });

  it("reads a Host header's name, refusing malformed ones", () => {
    expect(hostName("Example.COM:8080")).toBe("example.com");
    expect(hostName("[::1]:3000")).toBe("::1");
    expect(hostName("[::1]x")).toBeNull();
    expect(hostName("a b")).toBeNull();
    expect(hostName("host:port")).toBeNull();
    expect(hostName("user@host")).toBeNull();
  });

  it("gives the same verdict for a Host asked again, and judges every new one past those it remembers", () => {
    const policy = hostPolicy(readEnv({}));
    for (let round = 0; round < 2; round++) {
      expect(isServedHost(policy, "localhost:3000")).toBe(true);
      expect(isServedHost(policy, "rebind.example")).toBe(false);
    }
    // More distinct names than are remembered: each still judged on its own.
    for (let i = 0; i < 200; i++) {
      expect(isServedHost(policy, `evil-${i}.example`)).toBe(false);
      expect(isServedHost(policy, `agent-${i}.localhost:3000`)).toBe(true);
    }
    expect(isServedHost(policy, undefined)).toBe(false);
  });
});
