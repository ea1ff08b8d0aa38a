// Limits on what agents send, over real HTTP (the handlers behind node:http as in production):
// a body cap per endpoint refused with a 413 before the body is buffered (2 x 300 MB to
// count_tokens used to take the server from 1.5 to 4.0 GB and reach Claude), a refusal that does
// not leave a keep-alive connection hanging (a 401 before a large body was read hung it for 66 s),
// and a 10,000-deep field answered with a 400 naming it (it was a 500: "Maximum call stack size
// exceeded").
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { configureTurnWriter, resetTurnWriter } from "@/server/gateway/turn-writer";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { resetEnv } from "@/server/process/env";
import { BODY_LIMITS } from "./read-request-body";
import { DRAIN_MAX_BYTES } from "./web-handler";

const MB = 1024 * 1024;
const savedEnv = { ...process.env };

type RawAnswer = {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes the client had written when the answer's head arrived. */
  sentBeforeAnswer: number;
  ms: number;
};

/** A keep-alive connection driven by hand, to see what node:http does with bodies nobody reads. */
class RawConnection {
  readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.on("data", (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    this.socket.on("drain", () => this.wake());
    this.socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on("error", () => {}); // EPIPE/ECONNRESET once the server closed: expected in some tests
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Sends a request head and `bodyBytes` of body (stopping early once an answer arrives), and reads one answer. */
  async request(
    head: string,
    bodyBytes: number,
    options: { chunked?: boolean; timeoutMs?: number; body?: Buffer } = {},
  ): Promise<RawAnswer | null> {
    const t0 = Date.now();
    this.socket.write(head);
    let sent = 0;
    const chunk = options.body ?? Buffer.alloc(Math.min(MB, Math.max(bodyBytes, 1)), 0x61);
    while (sent < bodyBytes && !this.closed && this.buffer.indexOf("\r\n\r\n") < 0) {
      const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent));
      const data = options.chunked
        ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
        : piece;
      sent += piece.length;
      if (!this.socket.write(data))
        await this.until(() => this.closed || this.socket.writableLength === 0 || this.buffer.length > 0, 10_000);
    }
    if (options.chunked && sent >= bodyBytes && !this.closed) this.socket.write("0\r\n\r\n");
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(await this.until(() => this.buffer.indexOf("\r\n\r\n") >= 0, timeoutMs))) return null;
    const sentBeforeAnswer = sent;
    const headEnd = this.buffer.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = this.buffer.subarray(0, headEnd).toString("latin1").split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers["content-length"] ?? NaN);
    const bodyStart = headEnd + 4;
    if (Number.isFinite(length)) await this.until(() => this.buffer.length >= bodyStart + length, timeoutMs);
    else await this.until(() => this.buffer.indexOf("\r\n0\r\n\r\n", bodyStart) >= 0, timeoutMs);
    const end = Number.isFinite(length) ? bodyStart + length : this.buffer.indexOf("\r\n0\r\n\r\n", bodyStart) + 7;
    let body = this.buffer.subarray(bodyStart, end).toString("utf8");
    if (!Number.isFinite(length)) body = body.replace(/^[0-9a-f]+\r\n/, "").replace(/\r\n0\r\n\r\n$/, "");
    this.buffer = this.buffer.subarray(end);
    return { status: Number(statusLine!.split(" ")[1]), headers, body, sentBeforeAnswer, ms: Date.now() - t0 };
  }

  async waitClosed(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs);
  }

  close() {
    this.socket.destroy();
  }
}

const head = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

const target = testDatabases()[0]!;

describe("limits on agents' requests", () => {
  let db: Db;
  let offload: ServedHandlers;
  let claude: FakeAnthropic;
  let key: string;
  let port: number;

  beforeAll(async () => {
    claude = await startFakeAnthropic();
    Object.assign(process.env, {
      OLLAMA_HOST: "http://127.0.0.1:9",
      ANTHROPIC_API_KEY: "sk-ant-operator-test",
      ANTHROPIC_BASE_URL: claude.url,
    });
    resetEnv();
    resetTurnWriter();
    invalidateGatewayState();
    db = await target.create();
    await seedCatalogue(db);
    configureTurnWriter(async () => db);
    key = (await addAgent(db, { id: "loash", pin: "claude" })).key;
    offload = await serveHandlers(db);
    port = Number(new URL(offload.url).port);
  });
  afterAll(async () => {
    await offload?.close();
    await claude?.close();
    process.env = { ...savedEnv };
    resetEnv();
    await target.cleanup();
  });

  it("refuses 2 x 300 MB to count_tokens with a 413 before buffering, forwarding nothing to Claude", async () => {
    const rssBefore = process.memoryUsage().rss;
    const size = 300 * MB;
    for (const chunked of [false, true]) {
      const conn = new RawConnection(port);
      try {
        const answer = await conn.request(
          head("/v1/messages/count_tokens", {
            "x-api-key": key,
            "content-type": "application/json",
            ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": size }),
          }),
          size,
          { chunked },
        );
        expect(answer, chunked ? "chunked" : "content-length").not.toBeNull();
        expect(answer!.status).toBe(413);
        expect(JSON.parse(answer!.body)).toEqual({
          type: "error",
          error: {
            type: "request_too_large",
            message: "the request body is larger than 32 MB, this endpoint's limit",
          },
        });
        expect(answer!.headers["x-offload-lane"]).toBe("none");
        // Declared too large: refused on the header; counted: refused at the cap, not at 300 MB.
        expect(answer!.sentBeforeAnswer).toBeLessThan(chunked ? 64 * MB : 16 * MB);
        // The rest is not read: the connection ends after the answer.
        expect(answer!.headers.connection).toBe("close");
        expect(await conn.waitClosed(5_000)).toBe(true);
      } finally {
        conn.close();
      }
    }
    const grownMb = (process.memoryUsage().rss - rssBefore) / MB;
    expect(grownMb).toBeLessThan(200); // the issue measured 1.5 GB -> 4.0 GB for the two
    expect(claude.requests.filter((r) => r.path.startsWith("/v1/messages"))).toEqual([]);
  });

  it("caps each endpoint: Messages and count_tokens at 32 MB (as Anthropic), turns and route at 2 MB", async () => {
    expect(BODY_LIMITS.messages.maxBytes).toBe(32 * MB);
    expect(BODY_LIMITS.countTokens.maxBytes).toBe(32 * MB);
    const justOver = (path: string, max: number) =>
      fetch(`${offload.url}${path}`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-opus-4-6", padding: "x".repeat(max) }),
      });
    for (const [path, max] of [
      ["/api/v1/turns", BODY_LIMITS.turns.maxBytes],
      ["/api/v1/route", BODY_LIMITS.route.maxBytes],
      ["/v1/messages", BODY_LIMITS.messages.maxBytes],
    ] as const) {
      const res = await justOver(path, max);
      expect(res.status, path).toBe(413);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    }
    // 12 MB (over the old 10 MB cap) of one Claude Code prompt still reaches Claude.
    const big = await fetch(`${offload.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-opus-4-6", messages: [{ role: "user", content: "x".repeat(12 * MB) }] }),
    });
    expect(big.status).toBe(200);
    expect(claude.requests.at(-1)?.rawBody.length).toBeGreaterThan(12 * MB);
  });

  it("does not leave a keep-alive connection hanging after refusing a body it did not read", async () => {
    // A small unread rest is read and dropped: the agent's next request on the connection is answered.
    const conn = new RawConnection(port);
    try {
      const unread = 200_000;
      const refused = await conn.request(
        head("/v1/messages/count_tokens", { "content-type": "application/json", "content-length": unread }),
        unread,
      );
      expect(refused?.status).toBe(401);
      expect(JSON.parse(refused!.body)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      expect(refused!.headers.connection).not.toBe("close");
      const body = JSON.stringify({ agent: "loash", title: "heartbeat" });
      const next = await conn.request(
        head("/api/v1/route", { "x-api-key": key, "content-type": "application/json", "content-length": body.length }),
        body.length,
        { body: Buffer.from(body), timeoutMs: 5_000 }, // it hung for 66 s (Offload's keep-alive timeout)
      );
      expect(next?.status).toBe(200);
      expect(next!.ms).toBeLessThan(2_000);
    } finally {
      conn.close();
    }

    // A large one (over DRAIN_MAX_BYTES) is not read: the answer says connection: close and the connection ends.
    const big = new RawConnection(port);
    try {
      const size = 8 * DRAIN_MAX_BYTES;
      const refused = await big.request(
        head("/api/v1/turns", { "content-type": "application/json", "content-length": size }),
        size,
      );
      expect(refused?.status).toBe(401);
      expect(refused!.headers.connection).toBe("close");
      expect(await big.waitClosed(2_000)).toBe(true);
    } finally {
      big.close();
    }
  });

  it("answers a 10,000-deep field with a 400 naming it on every agent endpoint (it was a 500)", async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const bodies = [
      `{"model":"claude-opus-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`,
      `{"model":"claude-opus-4-6","max_tokens":16,"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":${deep}}]}]}`,
    ];
    const before = claude.requests.length;
    for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/api/v1/turns", "/api/v1/route"])
      for (const body of bodies) {
        const res = await fetch(`${offload.url}${path}`, {
          method: "POST",
          headers: { "x-api-key": key, "content-type": "application/json" },
          body,
        });
        const json = (await res.json()) as { error: { type: string; message: string; field: string } };
        expect(res.status, `${path} ${body.slice(90, 130)}`).toBe(400);
        expect(json.error.type).toBe("invalid_request_error");
        expect(json.error.message).toMatch(
          /^(metadata|messages\.0\.content\.0\.input)\.a.*: nested deeper than 64 levels$/,
        );
      }
    expect(claude.requests.length).toBe(before);
  });

  it("refuses bodies that are not UTF-8 or carry duplicate keys, before routing", async () => {
    const post = (body: BodyInit) =>
      fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body,
      });
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"model":"claude-opus-4-6","max_tokens":16,"messages":[{"role":"user","content":"'),
      Buffer.from([0xff, 0xfe, 0xc0]),
      Buffer.from('"}]}'),
    ]);
    const a = await post(new Uint8Array(invalidUtf8));
    expect(a.status).toBe(400);
    expect(((await a.json()) as { error: { message: string } }).error.message).toBe(
      "the request body is not valid UTF-8",
    );
    const b = await post(
      '{"model":"claude-haiku-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"model":"claude-opus-4-6"}',
    );
    expect(b.status).toBe(400);
    expect(((await b.json()) as { error: { message: string } }).error.message).toBe(
      'the request body: duplicate key "model"',
    );
  });
});
