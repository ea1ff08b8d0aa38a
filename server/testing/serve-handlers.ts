// Test helper: the gateway's route handlers behind a real HTTP server on 127.0.0.1, in-process and
// bound to a test database, so that the official SDK can be pointed at them with baseURL.
import http from "node:http";
import type { Db } from "@/server/db/client";
import { agentRoute } from "@/server/http/agent-routes";
import { serveWebHandler } from "@/server/http/web-handler";

export type ServedHandlers = { url: string; close(): Promise<void> };

export async function serveHandlers(db: Db): Promise<ServedHandlers> {
  const server = http.createServer((req, res) => {
    const handler = agentRoute(req.method, req.url);
    if (!handler) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "not found" } }));
      return;
    }
    void serveWebHandler((request) => handler(request, db), req, res, "http://127.0.0.1");
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
