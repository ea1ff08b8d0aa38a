// The production server: one node:http listener in this process. The endpoints agents call on
// every turn (server/http/agent-routes.ts) are answered directly, without Next.js's per-request
// work; everything else (pages, tRPC, the rest of the API) goes to Next's request handler.
// The port is bound first (a port in use fails before anything is migrated); requests wait until
// Offload has booted (migrations, seed, turn writer, health monitor) and Next is prepared.
import http from "node:http";

export async function serveProduction(options: { dir: string; port: number }): Promise<http.Server> {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // Until Offload is ready, requests wait; then `dispatch` is replaced and costs nothing extra.
  let dispatch = (req: http.IncomingMessage, res: http.ServerResponse): void =>
    void ready.then(() => dispatch(req, res));
  const server = http.createServer((req, res) => dispatch(req, res));
  // Agents keep connections open between turns; keep them longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => {
      server.off("error", reject);
      resolve();
    });
  });

  // Next's prepare() does not wait for instrumentation in production: boot here, explicitly.
  const { bootServer } = await import("./boot");
  await bootServer();
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: options.dir, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const { agentRoute } = await import("@/server/http/agent-routes");
  const { serveWebHandler } = await import("@/server/http/web-handler");
  const base = `http://localhost:${options.port}`;
  dispatch = (req, res) => {
    const handler = agentRoute(req.method, req.url);
    if (handler) {
      void serveWebHandler(handler, req, res, base);
      return;
    }
    handle(req, res).catch((err: Error) => {
      console.error(`offload: ${req.method} ${req.url}: ${err.stack ?? err.message}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    });
  };
  // On SIGTERM/SIGINT boot's handler drains the turns in flight (new gateway requests get 529
  // meanwhile). The listener is deliberately not closed: Node's server.close() also closes
  // connections whose request was fully received but not yet answered, cutting off the very turns
  // the drain waits for.
  markReady();
  return server;
}
