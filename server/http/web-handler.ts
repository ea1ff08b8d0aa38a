// A Web-standard handler ((Request) => Response, as the gateway's route handlers are written)
// served from a plain node:http request: the request body streamed in, the response streamed out
// (server-sent events included) with backpressure, the Request's signal aborted and the answer's
// stream cancelled when the client goes away, and a broken-off answer shown as a broken
// connection rather than a clean end.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { log } from "@/server/process/log";

/** The request body's progress, for deciding what to do with a rest the handler did not read. */
type BodyState = { received: number; cancelled: boolean; lingerUntil?: number };

/**
 * An unread rest of a request body up to this size is read and dropped after the answer, so the
 * connection stays usable for the agent's next turn; a larger (or unknown) rest is not read at
 * all: the answer says `connection: close` and the connection ends after it.
 */
export const DRAIN_MAX_BYTES = 1024 * 1024;
/** How long, and how many more bytes, a closing connection is read after its answer (see lingerOnClose). */
const LINGER_MS = 2_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * The request body as a web stream. Cancelling it (a handler refusing an oversized body) stops
 * passing data on without destroying the socket, so the refusal still reaches the client; what is
 * left of the body is dealt with once the answer is known (releaseBody).
 */
function bodyStream(req: IncomingMessage, state: BodyState): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        state.received += chunk.byteLength;
        if (state.lingerUntil !== undefined && state.received > state.lingerUntil) req.socket.destroy();
        if (state.cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!state.cancelled) controller.close();
      });
      req.once("error", (err) => {
        if (!state.cancelled) controller.error(err);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      state.cancelled = true;
    },
  });
}

/**
 * After the handler answered: a body it left unread (a 401 before reading, a 413 past the cap)
 * must not leave the connection stuck (Node would wait for the rest that nobody reads, and the
 * agent's next request on the keep-alive connection would hang). A small declared rest is read
 * and dropped; anything else closes the connection after the answer. Returns whether to close.
 */
function releaseBody(req: IncomingMessage, state: BodyState | null): boolean {
  if (!state || req.complete) return false;
  state.cancelled = true;
  const declared = Number(req.headers["content-length"]);
  const rest = Number.isFinite(declared) ? declared - state.received : Infinity;
  if (rest > DRAIN_MAX_BYTES) {
    lingerOnClose(req, state);
    return true;
  }
  req.resume();
  return false;
}

/**
 * A `connection: close` answer ends the socket as soon as it is written (node:http's
 * socket.destroySoon). With request bytes still arriving, the kernel then resets the connection,
 * and a client still sending its body can lose the answer it was about to read. So, as web
 * servers do ("lingering close"), this socket's close is: send our end (FIN), read and drop what
 * still arrives for up to LINGER_MS or LINGER_BYTES, then destroy.
 */
function lingerOnClose(req: IncomingMessage, state: BodyState): void {
  const socket = req.socket as Socket & { destroySoon?: () => void };
  if (typeof socket.destroySoon !== "function") return;
  socket.destroySoon = () => {
    state.lingerUntil = state.received + LINGER_BYTES;
    socket.end();
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
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
  // The request's signal says the client left before its whole answer was sent. (Not aborted after
  // a complete answer: nothing listens any more, and each abort builds a DOMException with a stack.)
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const body: BodyState | null =
    req.method !== "GET" && req.method !== "HEAD" ? { received: 0, cancelled: false } : null;
  const request = new Request(url, {
    method: req.method,
    headers,
    ...(body ? { body: bodyStream(req, body), duplex: "half" } : {}),
    signal: controller.signal,
  } as RequestInit);

  let response: Response;
  try {
    response = await handler(request);
  } catch (err) {
    log.error({ err, method: req.method, path: url.pathname }, "the handler failed");
    if (res.destroyed) return;
    const close = releaseBody(req, body);
    if (!res.headersSent)
      res.writeHead(500, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
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
  if (releaseBody(req, body)) out.connection = "close";
  res.writeHead(response.status, out);
  if (!response.body) {
    res.end();
    return;
  }
  const declared = response.headers.get("content-length");
  await pump(response.body, res, declared === null ? null : Number(declared));
}

/**
 * The answer's stream written to the response: with backpressure; on a client that leaves, the
 * stream is cancelled; on an answer that breaks off, the response is destroyed so that the client
 * sees it was cut short. (A hand-written loop: Readable.fromWeb + pipeline cost more than the
 * gateway's own work on a small answer.) An answer that arrives whole in its first chunk (its
 * Content-Length) is sent with res.end once its stream has ended: headers and body in one write.
 */
async function pump(
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
  contentLength: number | null,
): Promise<void> {
  const reader = body.getReader();
  let ended = false;
  const cancel = () => {
    if (!ended) reader.cancel().catch(() => {});
  };
  res.once("close", cancel);
  try {
    for (let first = true; ; first = false) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (first && value.byteLength === contentLength) {
        const rest = await reader.read();
        if (rest.done) {
          ended = true;
          res.end(value);
          return;
        }
        res.write(value);
        if (res.destroyed) return;
        if (!res.write(rest.value)) await drained(res);
        continue;
      }
      if (!res.write(value)) await drained(res);
    }
    ended = true;
    res.end();
  } catch (err) {
    // The answer broke off upstream (or the client went away): the connection is closed either way.
    ended = true;
    res.destroy(err as Error);
  } finally {
    res.off("close", cancel);
  }
}

/** Resolves when the response can take more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
