// Test helper for the real-client suite: a node:http proxy that forwards every request to a
// target unchanged (method, path and query, header names, values and order, body bytes; only
// Host names the target) and the answer back unchanged (status, headers, body bytes, streamed as
// they arrive), recording both sides raw. Put one between a client and Offload to know what the
// client sent and received, and one between Offload and the fake Anthropic to know what reached
// "Anthropic" and what it answered.
import http from "node:http";
import type { Socket } from "node:net";

export type RecordedExchange = {
  /** Arrival order at this proxy (0, 1, ...). */
  seq: number;
  startedAt: number;
  request: {
    method: string;
    /** Path and query exactly as the client sent them. */
    url: string;
    /** Header name/value pairs in the order and case sent (Node's rawHeaders, paired). */
    rawHeaders: [string, string][];
    /** Lower-cased names; repeated headers joined with ", " (set-cookie: "; "). */
    headers: Record<string, string>;
    body: Buffer;
  };
  /** Null until the answer has fully arrived (or when the target could not be reached). */
  response: {
    status: number;
    rawHeaders: [string, string][];
    headers: Record<string, string>;
    body: Buffer;
  } | null;
  /** Set when forwarding failed (the target refused, or a side hung up). */
  error?: string;
  finishedAt?: number;
};

export type RecordingProxy = {
  url: string;
  exchanges: RecordedExchange[];
  /** Resolves once every exchange started so far has finished (answered or failed). */
  settled(): Promise<void>;
  clear(): void;
  close(): Promise<void>;
};

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export function headerMap(raw: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of raw) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}${key === "set-cookie" ? "; " : ", "}${value}` : value;
  }
  return out;
}

/** Starts a proxy on 127.0.0.1 (a free port) that forwards to `target` (e.g. http://127.0.0.1:3000). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const targetUrl = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const pending = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const exchange: RecordedExchange = {
      seq: exchanges.length,
      startedAt: Date.now(),
      request: {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        rawHeaders: pairs(req.rawHeaders),
        headers: headerMap(pairs(req.rawHeaders)),
        body: Buffer.alloc(0),
      },
      response: null,
    };
    exchanges.push(exchange);
    const done = new Promise<void>((resolve) => {
      const finish = (error?: string) => {
        if (error && !exchange.error) exchange.error = error;
        exchange.finishedAt ??= Date.now();
        resolve();
      };
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("error", (err) => finish(`client request: ${err.message}`));
      req.on("end", () => {
        exchange.request.body = Buffer.concat(chunks);
        // The client's headers as sent, except Host, which names the target.
        const outHeaders = exchange.request.rawHeaders.flatMap(([name, value]) =>
          name.toLowerCase() === "host" ? [name, targetUrl.host] : [name, value],
        );
        const upstream = http.request({
          agent,
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: exchange.request.method,
          path: exchange.request.url,
          headers: outHeaders,
          setHost: false,
        });
        upstream.on("response", (up) => {
          const rawHeaders = pairs(up.rawHeaders);
          const bodyChunks: Buffer[] = [];
          res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
          res.flushHeaders();
          up.on("data", (c: Buffer) => {
            bodyChunks.push(c);
            res.write(c);
          });
          up.on("end", () => {
            exchange.response = {
              status: up.statusCode ?? 0,
              rawHeaders,
              headers: headerMap(rawHeaders),
              body: Buffer.concat(bodyChunks),
            };
            res.end();
            finish();
          });
          up.on("error", (err) => {
            res.destroy(err);
            finish(`target response: ${err.message}`);
          });
        });
        upstream.on("error", (err) => {
          if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`proxy: ${err.message}`);
          else res.destroy(err);
          finish(`target request: ${err.message}`);
        });
        res.on("close", () => {
          if (!res.writableFinished) {
            upstream.destroy();
            finish("the client hung up before the answer ended");
          }
        });
        upstream.end(exchange.request.body);
      });
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  });
  server.keepAliveTimeout = 120_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
    clear() {
      exchanges.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
