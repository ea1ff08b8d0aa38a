// The logger: secrets censored by name, errors without their extra fields, the request's fields on
// every line logged while it is served (and on none outside), levels, and the terminal format.
import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, runInRequestScope } from "@/server/auth/request-scope";
import { readEnv, readLogSettings } from "./env";
import {
  captureLogs,
  formatLine,
  log,
  noteRequestLog,
  outsideRequestLog,
  runWithRequestLog,
  serializeError,
  type CapturedLogs,
} from "./log";

const tick = () => new Promise((r) => setTimeout(r, 1));

let capture: CapturedLogs | undefined;
afterEach(() => {
  capture?.stop();
  capture = undefined;
});

describe("redaction", () => {
  it("logs neither an authorization header nor an API key, wherever they sit", () => {
    capture = captureLogs("info");
    log.info(
      {
        authorization: "Bearer top-secret-admin-token",
        headers: { authorization: "Bearer sk-ant-operator-secret", "x-api-key": "ofk_agent_secret_key" },
        req: { headers: { cookie: "offload_session=session-secret", "x-api-key": "ofk_other_secret" } },
        apiKey: "sk-ant-api-key-secret",
        agent: { token: "agent-token-secret", id: "loash" },
        web: new Headers({ authorization: "Bearer web-headers-secret" }),
      },
      "a request came in",
    );
    const text = capture.text();
    for (const secret of [
      "top-secret-admin-token",
      "sk-ant-operator-secret",
      "ofk_agent_secret_key",
      "session-secret",
      "ofk_other_secret",
      "sk-ant-api-key-secret",
      "agent-token-secret",
      "web-headers-secret",
    ])
      expect(text).not.toContain(secret);
    const [line] = capture.lines;
    expect(line).toMatchObject({
      level: "info",
      msg: "a request came in",
      authorization: "[redacted]",
      headers: { authorization: "[redacted]", "x-api-key": "[redacted]" },
      req: { headers: { cookie: "[redacted]", "x-api-key": "[redacted]" } },
      agent: { token: "[redacted]", id: "loash" },
    });
  });

  it("censors bodies and prompt fields passed by mistake", () => {
    capture = captureLogs("info");
    log.warn(
      { body: { messages: [{ role: "user", content: "PROMPT-MARKER" }] }, call: { system: "PROMPT-MARKER" } },
      "x",
    );
    expect(capture.text()).not.toContain("PROMPT-MARKER");
  });

  it("logs an error as its type, code, capped message and frames, not its other fields", () => {
    const err = Object.assign(new Error(`upstream said ${"x".repeat(2_000)}`), {
      code: "ECONNRESET",
      headers: { "x-api-key": "ofk_in_error" },
      body: "PROMPT-IN-ERROR-BODY",
      cause: new TypeError("fetch failed"),
    });
    const logged = serializeError(err);
    expect(logged).toMatchObject({
      type: "Error",
      code: "ECONNRESET",
      cause: { type: "TypeError", message: "fetch failed" },
    });
    expect(logged.message.length).toBeLessThanOrEqual(501);
    expect(logged.stack).toMatch(/^\s+at /);
    expect(logged.stack).not.toContain("upstream said");
    capture = captureLogs("info");
    log.error({ err }, "failed");
    expect(capture.text()).not.toMatch(/ofk_in_error|PROMPT-IN-ERROR-BODY/);
    expect(capture.lines[0]).toMatchObject({ level: "error", msg: "failed", err: { code: "ECONNRESET" } });
  });
});

describe("the request's fields", () => {
  it("are on every line logged while a request is served, however deep, and on none outside", async () => {
    capture = captureLogs("debug");
    log.info("before");
    await runWithRequestLog("/v1/messages", async () => {
      log.debug("arrived");
      await tick();
      noteRequestLog({ agentId: "loash", lane: "local", turnId: "turn-1" });
      await Promise.resolve().then(async () => {
        await tick();
        log.warn("deep in a provider");
      });
      setTimeout(() => log.info("a timer the request started"), 1);
      await new Promise((r) => setTimeout(r, 5));
    });
    log.info("after");
    const [before, arrived, deep, timer, after] = capture.lines;
    expect(before).not.toHaveProperty("reqId");
    expect(before).not.toHaveProperty("turnId");
    expect(arrived).toMatchObject({ route: "/v1/messages", reqId: expect.any(String) });
    expect(arrived).not.toHaveProperty("turnId");
    for (const line of [deep, timer])
      expect(line).toMatchObject({ reqId: arrived!.reqId, agentId: "loash", lane: "local", turnId: "turn-1" });
    expect(after).not.toHaveProperty("reqId");
    expect(after).not.toHaveProperty("turnId");
  });

  it("never mix between requests served at the same time", async () => {
    capture = captureLogs("info");
    await Promise.all(
      ["a", "b", "c"].map((t) =>
        runWithRequestLog("/v1/messages", async () => {
          noteRequestLog({ turnId: t });
          for (let i = 0; i < 3; i++) {
            await tick();
            log.info({ expect: t }, "working");
          }
        }),
      ),
    );
    expect(capture.lines).toHaveLength(9);
    for (const line of capture.lines) expect(line.turnId).toBe(line.expect);
  });

  it("are not on the lines of work a request only started for everyone (outsideRequestLog)", async () => {
    capture = captureLogs("info");
    await runWithRequestLog("/v1/messages", async () => {
      noteRequestLog({ turnId: "turn-2" });
      outsideRequestLog(() => setTimeout(() => log.info("a batch for every request"), 1));
      await new Promise((r) => setTimeout(r, 5));
    });
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).not.toHaveProperty("turnId");
    expect(capture.lines[0]).not.toHaveProperty("reqId");
  });

  it("go into the production listener's request store, beside the client's address", async () => {
    capture = captureLogs("info");
    await runInRequestScope("10.1.2.3", () =>
      runWithRequestLog("/v1/messages/count_tokens", async () => {
        await tick();
        log.info({ address: clientAddress() }, "counted");
      }),
    );
    expect(capture.lines[0]).toMatchObject({
      address: "10.1.2.3",
      route: "/v1/messages/count_tokens",
      reqId: expect.any(String),
    });
  });

  it("cannot be set outside a request", () => {
    capture = captureLogs("info");
    noteRequestLog({ turnId: "nowhere" });
    log.info("outside");
    expect(capture.lines[0]).not.toHaveProperty("turnId");
  });
});

describe("levels", () => {
  it("drops lines below the level", () => {
    capture = captureLogs("warn");
    log.debug("debug");
    log.info("info");
    log.warn("warn");
    log.error("error");
    expect(capture.lines.map((l) => l.msg)).toEqual(["warn", "error"]);
    expect(capture.lines.map((l) => l.level)).toEqual(["warn", "error"]);
    expect(log.isLevelEnabled("info")).toBe(false);
  });

  it("reads OFFLOAD_LOG_LEVEL and OFFLOAD_LOG_FORMAT, and names them when they are wrong", () => {
    expect(readLogSettings({})).toEqual({ level: "info", format: undefined });
    expect(readLogSettings({ OFFLOAD_LOG_LEVEL: "DEBUG", OFFLOAD_LOG_FORMAT: "json" })).toEqual({
      level: "debug",
      format: "json",
    });
    // The logger falls back; the start (readEnv) refuses, naming the variable.
    expect(readLogSettings({ OFFLOAD_LOG_LEVEL: "loud", OFFLOAD_LOG_FORMAT: "xml" })).toEqual({
      level: "info",
      format: undefined,
    });
    expect(() => readEnv({ OFFLOAD_LOG_LEVEL: "loud" })).toThrow(
      'OFFLOAD_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud"',
    );
    expect(() => readEnv({ OFFLOAD_LOG_FORMAT: "xml" })).toThrow(
      'OFFLOAD_LOG_FORMAT must be json or pretty, not "xml"',
    );
  });
});

describe("the terminal format", () => {
  it("reads like the server's lines always did, with the fields after", () => {
    const line = (o: object) => JSON.stringify({ time: "2026-01-01T00:00:00.000Z", pid: 1, hostname: "h", ...o });
    expect(formatLine(line({ level: "info", msg: "ready on http://127.0.0.1:3000" }))).toBe(
      "offload: ready on http://127.0.0.1:3000\n",
    );
    expect(
      formatLine(
        line({
          level: "warn",
          msg: "could not read budgets, using the last ones read",
          err: { type: "Error", message: "database closed", stack: "    at x" },
          reqId: "r1",
          route: "/v1/messages",
          turnId: "t1",
        }),
      ),
    ).toBe(
      "offload: warning: could not read budgets, using the last ones read: database closed (reqId=r1 route=/v1/messages turnId=t1)\n",
    );
    expect(
      formatLine(
        line({ level: "error", msg: "unexpected error", err: { type: "TypeError", message: "x", stack: "    at y" } }),
      ),
    ).toBe("offload: error: unexpected error: x\n    at y\n");
  });
});
