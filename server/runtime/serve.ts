// The production server: one node:http listener in this process. The endpoints agents call on
// every turn (server/http/agent-routes.ts) are answered directly, without Next.js's per-request
// work; everything else (pages, tRPC, the rest of the API) goes to Next's request handler.
// The port is bound first (a port in use fails before anything is migrated); requests wait until
// Offload has booted (migrations, seed, turn writer, health monitor) and Next is prepared.
//
// Closed by default: without OFFLOAD_ADMIN_TOKEN it listens on 127.0.0.1 only (OFFLOAD_HOST
// chooses; server/process/env.ts refuses a non-loopback one without a token), every request's Host
// must be one this server answers to (server/auth/allowed-hosts.ts: DNS rebinding), and every
// answer carries the security headers (server/auth/security-headers.ts).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { env as readEnv, listenAddress } from "@/server/process/env";
import { hostPolicy, isServedHost } from "@/server/auth/allowed-hosts";
import { runInRequestScope } from "@/server/auth/request-scope";
import { API_CSP, COMMON_SECURITY_HEADERS } from "@/server/auth/security-headers";
import { handleClientError } from "@/server/http/client-error";
import { resolveDataDir, secureDataDir } from "@/server/db/data-dir";
import { log } from "@/server/process/log";

/** How often the data folder's modes are checked again while the server runs. */
const DATA_DIR_SWEEP_MS = 10 * 60_000;

/** The answer to a Host this server does not serve: 421, JSON in Anthropic's error shape. */
function refuseHost(req: http.IncomingMessage, res: http.ServerResponse): void {
  const host = req.headers.host ?? "";
  const message =
    `this Offload server does not answer to the host "${host.slice(0, 100)}": ` +
    `use localhost or its address, or add the name to OFFLOAD_ALLOWED_HOSTS`;
  const body = JSON.stringify({ type: "error", error: { type: "permission_error", message } });
  res.writeHead(421, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "content-security-policy": API_CSP,
    "x-offload-lane": "none",
    "x-offload-model": "none",
    "x-offload-reason": "host not served",
    connection: "close",
  });
  res.end(body);
}

function useBuiltNextConfig(dir: string): void {
  if (process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) return;
  try {
    const built = JSON.parse(fs.readFileSync(path.join(dir, ".next", "required-server-files.json"), "utf8")) as {
      config?: unknown;
    };
    if (built.config) process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(built.config);
  } catch {
    // no such file (an older build): Next reads next.config.ts itself
  }
}

export async function serveProduction(options: { dir: string; port: number }): Promise<http.Server> {
  const env = readEnv();
  const listen = listenAddress({ ...env, PORT: options.port });
  // Whatever this process creates (the data folder's files above all) is its owner's only.
  process.umask(0o077);

  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // Until Offload is ready, requests wait; then `dispatch` is replaced and costs nothing extra.
  let dispatch = (req: http.IncomingMessage, res: http.ServerResponse): void =>
    void ready.then(() => dispatch(req, res));
  const hosts = hostPolicy(env);
  const securityHeaders = Object.entries(COMMON_SECURITY_HEADERS);
  const server = http.createServer((req, res) => {
    for (const [key, value] of securityHeaders) res.setHeader(key, value);
    if (!isServedHost(hosts, req.headers.host)) return refuseHost(req, res);
    // The client's address for the limits on failed sign-ins (server/auth/failed-attempts.ts).
    runInRequestScope(req.socket.remoteAddress, () => dispatch(req, res));
  });
  // Node's own refusals (unparseable requests, oversized headers) in Anthropic's error shape (server/http/client-error.ts).
  server.on("clientError", handleClientError);
  // Agents keep connections open between turns; keep them longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  // Next's prepare() does not wait for instrumentation in production: boot here, explicitly.
  const { bootServer } = await import("./boot");
  await bootServer();
  // The embedded database made its files as it opened (PGlite makes them world-writable, whatever
  // the umask): owner-only now, and again every few minutes for the files it adds while running
  // (they sit in 0700 folders meanwhile, out of other users' reach).
  const dataRoot = resolveDataDir(env.OFFLOAD_DATA_DIR).root;
  const fixed = secureDataDir(dataRoot);
  if (fixed.changed) log.info(fixed.summary);
  setInterval(() => {
    try {
      secureDataDir(dataRoot);
    } catch (err) {
      log.error({ err }, "could not check the data folder's modes");
    }
  }, DATA_DIR_SWEEP_MS).unref();
  // Next takes its configuration from the build, as its standalone server does, instead of
  // compiling next.config.ts again at every start, which loads Next's SWC compiler into this process
  // (about 75 MB resident for the life of the server). The build wrote the resolved configuration;
  // its headers() are compiled into the build's routes already.
  useBuiltNextConfig(options.dir);
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
      res.setHeader("content-security-policy", API_CSP);
      void serveWebHandler(handler, req, res, base);
      return;
    }
    handle(req, res).catch((err: Error) => {
      log.error({ err, method: req.method, path: req.url?.split("?")[0] }, "the request failed");
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
