// The production server: one node:http listener in this process. The endpoints agents call on
// every turn (server/http/agent-routes.ts) are answered directly, without Next.js's per-request
// work; everything else (pages, tRPC, the rest of the API) goes to Next's request handler.
// Next's prepare() runs instrumentation.ts first, which boots Offload (migrations, seed, health
// monitor, shutdown handling), so nothing is answered before the database is ready.
import http from "node:http";

export async function serveProduction(options: { dir: string; port: number }): Promise<http.Server> {
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: options.dir, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const { agentRoute } = await import("./http/agent-routes");
  const { serveWebHandler } = await import("./http/web-handler");
  const base = `http://localhost:${options.port}`;
  const server = http.createServer((req, res) => {
    const handler = agentRoute(req.method, req.url);
    if (handler) void serveWebHandler((request) => handler(request), req, res, base);
    else void handle(req, res);
  });
  // Agents keep connections open between turns; keep them longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => resolve());
  });
  return server;
}
