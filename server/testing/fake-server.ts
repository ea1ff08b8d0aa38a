// Test helper: what the fake Ollama and fake Anthropic servers share. A node:http server on
// 127.0.0.1 that records every request, and fails on demand: refuse connections, hang, answer
// garbage, or answer a given status. Provider-specific routes are given by the caller.
import http from "node:http";
import type { Socket } from "node:net";

export type RecordedRequest = {
  method: string;
  /** The path without the query (`/v1/messages`). */
  path: string;
  /** The path and query exactly as the client sent them (`/v1/messages?beta=true`). */
  url: string;
  headers: Record<string, string>;
  /** The body parsed as JSON (or the text when it is not JSON). */
  body: any;
  /** The body's bytes as received. */
  rawBody: Buffer;
};

export type Failure =
  | { kind: "refuse" } // connections fail (the listener closes; a single failNext resets the socket)
  | { kind: "hang" } // the request is accepted and never answered
  | { kind: "malformed" } // 200 with a body that is not what the API sends
  | { kind: "truncate" } // 200, half a body, then the connection breaks
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> };

export type FakeHandle = {
  url: string;
  requests: RecordedRequest[];
  /** Fail the next `times` requests (default 1) this way, then behave again. */
  failNext(failure: Failure, times?: number): void;
  /** Fail every request this way until called with null. */
  failAlways(failure: Failure | null): void;
  close(): Promise<void>;
};

export type Route = (req: RecordedRequest, res: http.ServerResponse) => Promise<void> | void;

export type FakeServerOptions = {
  routes: Record<string, Route>;
  /** The provider's answer for a `status` failure without a body. */
  errorBody(status: number): unknown;
  errorHeaders?(status: number): Record<string, string>;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeHandle> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let queued: { failure: Failure; times: number } | null = null;
  let always: Failure | null = null;
  let port = 0;
  let listening = false;

  const nextFailure = (): Failure | null => {
    if (always) return always;
    if (queued && queued.times > 0) {
      queued.times--;
      const f = queued.failure;
      if (queued.times === 0) queued = null;
      return f;
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const rawBody = Buffer.concat(chunks);
      const raw = rawBody.toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // keep the raw text
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        url: req.url ?? "/",
        headers,
        body,
        rawBody,
      };
      requests.push(recorded);

      const failure = nextFailure();
      if (failure?.kind === "refuse") return void req.socket.destroy();
      if (failure?.kind === "hang") return; // closed with the server
      if (failure?.kind === "truncate") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "400" });
        res.write('{"model":"qwen3:8b","message":{"role":"assistant","content":"HEARTB');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (failure?.kind === "malformed")
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"mod');
      if (failure?.kind === "status") {
        return sendJson(res, failure.status, failure.body ?? options.errorBody(failure.status), {
          ...options.errorHeaders?.(failure.status),
          ...failure.headers,
        });
      }
      const route = options.routes[`${recorded.method} ${recorded.path}`];
      if (!route) return sendJson(res, 404, options.errorBody(404));
      try {
        await route(recorded, res);
      } catch (error) {
        if (!res.headersSent) sendJson(res, 500, options.errorBody(500));
        else res.destroy(error as Error);
      }
    });
  });
  // Like Ollama's and Anthropic's servers, keep idle connections open (Node's default closes them
  // after 5 s, racing a client that reuses one at that moment).
  server.keepAliveTimeout = 120_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as { port: number }).port;
        listening = true;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();

  // failAlways is synchronous for the tests: closing and binding a listener on an IP address happen
  // at once in Node; the chain only orders the callbacks, and close() waits for it.
  let pending: Promise<void> = Promise.resolve();
  const handle: FakeHandle = {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(failure, times = 1) {
      queued = { failure, times };
    },
    failAlways(failure) {
      always = failure;
      if (failure?.kind === "refuse") pending = pending.then(stop);
      else pending = pending.then(() => (listening ? undefined : listen()));
    },
    async close() {
      await pending;
      await stop();
    },
  };
  return handle;
}
