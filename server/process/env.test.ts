// The environment schema: defaults, empty values, one-line errors naming the variable, and the
// once-per-process env() accessor.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { describeExposure, env, isLoopbackHost, listenAddress, readEnv, resetEnv } from "./env";

describe("readEnv", () => {
  it("applies the documented defaults", () => {
    expect(readEnv({})).toEqual({
      DATABASE_URL: undefined,
      OFFLOAD_DATA_DIR: "./.data",
      OLLAMA_HOST: "http://127.0.0.1:11434",
      OLLAMA_HOSTS: [],
      ANTHROPIC_API_KEY: undefined,
      ANTHROPIC_BASE_URL: undefined,
      OFFLOAD_ADMIN_TOKEN: undefined,
      OFFLOAD_HOST: undefined,
      OFFLOAD_ALLOWED_HOSTS: [],
      OFFLOAD_SESSION_HOURS: 12,
      OFFLOAD_HEALTH_INTERVAL_S: 15,
      PORT: 3000,
      OFFLOAD_DEMO: "on",
      OFFLOAD_TURN_SPOOL: "fsync",
      OFFLOAD_EMBEDDED_DB_THREAD: "worker",
      OFFLOAD_LOG_LEVEL: "info",
      OFFLOAD_LOG_FORMAT: undefined,
      OFFLOAD_ROOT: undefined,
    });
  });

  it("reads a pool of Ollama hosts, without trailing slashes or empty entries", () => {
    expect(readEnv({ OLLAMA_HOSTS: " http://gpu1:11434/ , ,http://gpu2:11434" }).OLLAMA_HOSTS).toEqual([
      "http://gpu1:11434",
      "http://gpu2:11434",
    ]);
  });

  it("treats empty values as unset", () => {
    expect(readEnv({ DATABASE_URL: "", PORT: " " })).toMatchObject({ DATABASE_URL: undefined, PORT: 3000 });
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [{ PORT: "70000" }, /PORT/],
    [{ PORT: "abc" }, /PORT/],
    [{ OLLAMA_HOST: "gpu-box:11434" }, /OLLAMA_HOST/],
    [{ OLLAMA_HOSTS: "http://gpu1:11434,gpu2:11434" }, /OLLAMA_HOSTS must be http\(s\) URLs/],
    [{ OLLAMA_HOSTS: "http://gpu1:11434,http://gpu1:11434/" }, /OLLAMA_HOSTS names a host twice/],
    [{ ANTHROPIC_BASE_URL: "api.anthropic.com" }, /ANTHROPIC_BASE_URL/],
    [{ OFFLOAD_ADMIN_TOKEN: "short" }, /OFFLOAD_ADMIN_TOKEN/],
    [{ OFFLOAD_HEALTH_INTERVAL_S: "0" }, /OFFLOAD_HEALTH_INTERVAL_S/],
    [{ OFFLOAD_HEALTH_INTERVAL_S: "soon" }, /OFFLOAD_HEALTH_INTERVAL_S/],
    [{ OFFLOAD_DEMO: "no" }, /OFFLOAD_DEMO/],
    [{ OFFLOAD_TURN_SPOOL: "sometimes" }, /OFFLOAD_TURN_SPOOL must be fsync, write or off/],
    [{ OFFLOAD_EMBEDDED_DB_THREAD: "gpu" }, /OFFLOAD_EMBEDDED_DB_THREAD must be worker or main, not "gpu"/],
    [
      { OFFLOAD_LOG_LEVEL: "verbose" },
      /OFFLOAD_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    ],
    [{ OFFLOAD_LOG_FORMAT: "text" }, /OFFLOAD_LOG_FORMAT must be json or pretty/],
    [{ OFFLOAD_HOST: "http://0.0.0.0" }, /OFFLOAD_HOST must be an IP address or host name/],
    [{ OFFLOAD_HOST: "0.0.0.0:3000" }, /OFFLOAD_HOST/],
    [{ OFFLOAD_ALLOWED_HOSTS: "offload.lan, https://x" }, /OFFLOAD_ALLOWED_HOSTS/],
    [{ OFFLOAD_SESSION_HOURS: "0" }, /OFFLOAD_SESSION_HOURS/],
    [{ OFFLOAD_SESSION_HOURS: "forever" }, /OFFLOAD_SESSION_HOURS/],
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

  it("listens on 127.0.0.1 without an admin token, and refuses any other interface then", () => {
    expect(listenAddress(readEnv({}))).toMatchObject({
      host: "127.0.0.1",
      loopbackOnly: true,
      localUrl: "http://127.0.0.1:3000",
    });
    expect(listenAddress(readEnv({ OFFLOAD_HOST: "::1", PORT: "4000" }))).toMatchObject({
      host: "::1",
      loopbackOnly: true,
      localUrl: "http://[::1]:4000",
    });
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "offload.lan"]) {
      expect(() => readEnv({ OFFLOAD_HOST: host })).toThrow(
        `OFFLOAD_HOST=${host} would open the dashboard and admin API to the network without a password: set OFFLOAD_ADMIN_TOKEN`,
      );
    }
    expect(() => readEnv({ OFFLOAD_HOST: "0.0.0.0" })).toThrow(/^[^\n]+$/);
  });

  it("listens where OFFLOAD_HOST says with an admin token, and on every interface when unset", () => {
    const token = { OFFLOAD_ADMIN_TOKEN: "a-long-admin-token" };
    expect(listenAddress(readEnv(token))).toMatchObject({
      host: undefined,
      loopbackOnly: false,
      localUrl: "http://127.0.0.1:3000",
    });
    expect(listenAddress(readEnv({ ...token, OFFLOAD_HOST: "0.0.0.0" }))).toMatchObject({ host: "0.0.0.0" });
    expect(listenAddress(readEnv({ ...token, OFFLOAD_HOST: "[::]" }))).toMatchObject({
      host: "::",
      localUrl: "http://[::1]:3000",
    });
    expect(listenAddress(readEnv({ ...token, OFFLOAD_HOST: "192.168.1.20" }))).toMatchObject({
      host: "192.168.1.20",
      localUrl: "http://192.168.1.20:3000",
    });
    expect(describeExposure(readEnv(token))).toMatch(/every interface.*protected by OFFLOAD_ADMIN_TOKEN/);
    expect(describeExposure(readEnv({}))).toMatch(/127\.0\.0\.1:3000 only.*open without a sign-in/);
  });

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "offload.lan", "localhost.evil.example"])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it("reads OFFLOAD_ALLOWED_HOSTS as a list and OFFLOAD_SESSION_HOURS as hours", () => {
    expect(readEnv({ OFFLOAD_ALLOWED_HOSTS: " Offload.LAN, 10.0.0.5 ,[fd00::5]," }).OFFLOAD_ALLOWED_HOSTS).toEqual([
      "offload.lan",
      "10.0.0.5",
      "fd00::5",
    ]);
    expect(readEnv({ OFFLOAD_SESSION_HOURS: "0.5" }).OFFLOAD_SESSION_HOURS).toBe(0.5);
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
