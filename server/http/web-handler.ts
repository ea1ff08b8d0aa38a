// A Web-standard handler ((Request) => Response, as the gateway's route handlers are written)
// served from a plain node:http request: the request body streamed in, the response streamed out
// (server-sent events included), and the Request's signal aborted when the client goes away.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export async function serveWebHandler(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const url = new URL(req.url ?? "/", base);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === "string") headers.set(k, v);
    else if (Array.isArray(v)) for (const item of v) headers.append(k, item);
  }
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    signal: controller.signal,
  } as RequestInit);
  let response: Response;
  try {
    response = await handler(request);
  } catch (err) {
    console.error(`offload: ${req.method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: "internal error" } }));
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
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Respect backpressure: a slow client must not make the server buffer a whole answer.
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
    }
  } catch {
    // the client went away, or the answer broke off upstream
  }
  res.end();
}
