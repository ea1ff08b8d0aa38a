// A Web-standard handler ((Request) => Response, as the gateway's route handlers are written)
// served from a plain node:http request: the request body streamed in, the response streamed out
// (server-sent events included) with backpressure, the Request's signal aborted and the answer's
// stream cancelled when the client goes away, and a broken-off answer shown as a broken
// connection rather than a clean end.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/**
 * The request body as a web stream. Cancelling it (a handler refusing an oversized body) reads
 * and drops the rest instead of destroying the socket, so the refusal still reaches the client.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!cancelled) controller.close();
      });
      req.once("error", (err) => {
        if (!cancelled) controller.error(err);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      cancelled = true;
      req.resume();
    },
  });
}

export async function serveWebHandler(
  handler: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
): Promise<void> {
  const url = new URL(req.url ?? "/", base);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === "string") headers.set(k, v);
    else if (Array.isArray(v)) for (const item of v) headers.append(k, item);
  }
  const controller = new AbortController();
  res.once("close", () => controller.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
    signal: controller.signal,
  } as RequestInit);

  let response: Response;
  try {
    response = await handler(request);
  } catch (err) {
    console.error(`offload: ${req.method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: "internal error" } }));
    return;
  }
  if (res.destroyed) {
    // The client left while the answer was being prepared: release it (and what it holds upstream).
    await response.body?.cancel().catch(() => {});
    return;
  }
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    out[key] = key === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, out);
  if (!response.body) {
    res.end();
    return;
  }
  try {
    // pipeline: backpressure, and on a client that leaves, the answer's stream is cancelled; on an
    // answer that breaks off, the response is destroyed so the client sees it was cut short.
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), res);
  } catch {
    // the client went away, or the answer broke off upstream; either way the connection is closed
  }
}
