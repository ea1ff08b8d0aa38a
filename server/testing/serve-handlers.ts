// Test helper: the gateway's route handlers behind a real HTTP server on 127.0.0.1, in-process and
// bound to a test database, so that the official SDK can be pointed at them with baseURL.
import http from "node:http";
import { Readable } from "node:stream";
import type { Db } from "@/server/db/client";
import { handleMessages } from "@/server/gateway/handle-messages";
import { handleCountTokens } from "@/server/gateway/handle-count-tokens";
import { handleReportTurns } from "@/server/turns/report-turns";
import { handleRouteRequest } from "@/server/routing/handle-route-request";

type Handler = (request: Request, db: Db) => Promise<Response>;

const ROUTES: Record<string, Handler> = {
  "/v1/messages": handleMessages,
  "/v1/messages/count_tokens": handleCountTokens,
  "/api/v1/turns": handleReportTurns,
  "/api/v1/route": handleRouteRequest,
};

export type ServedHandlers = { url: string; close(): Promise<void> };

export async function serveHandlers(db: Db): Promise<ServedHandlers> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const handler = ROUTES[url.pathname];
    if (!handler || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "not found" } }));
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const request = new Request(url, { method: "POST", headers, body: Readable.toWeb(req) as ReadableStream, duplex: "half", signal: controller.signal } as RequestInit);
    const response = await handler(request, db);
    res.writeHead(response.status, Object.fromEntries(response.headers));
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
        res.write(value);
      }
    } catch {
      // the client went away
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
