// The production server's process. server/runtime/launch.mjs (`npm start`) runs it with plain node and Offload's
// loader setup (`node --import ./server/runtime/register.mjs`: tsx and server-only), not under tsx's CLI: the CLI relays a SIGTERM to its child and kills it
// outright if the child has not acknowledged within ~60 ms, which a busy server may not, and the
// turns in flight would be lost instead of drained.
import path from "node:path";
import { env } from "@/server/process/env";
import { serveProduction } from "./serve";
import { log } from "@/server/process/log";

const root = path.resolve(import.meta.dirname, "..", "..");

async function main(): Promise<void> {
  // tsx's registration (register.mjs) turns Node's source maps on, for TypeScript positions in stack
  // traces. In the server that makes Node read, parse and keep the source map of every module
  // loaded from then on, sources included: Next.js's compiled server and the build's chunks, React,
  // Prisma, PGlite: about 50 MB of the heap at idle (129 MB used with them, 78 without), for
  // stack traces of errors the server rarely has.
  // Off before the server loads them (the few modules above are already loaded, with their maps).
  process.setSourceMapsEnabled(false);
  // `npm start` checked the environment (server/runtime/start.ts) before starting this process.
  const { PORT } = env();
  try {
    await serveProduction({ dir: root, port: PORT });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log.fatal(e.code === "EADDRINUSE" ? `port ${PORT} is already in use (PORT)` : e.message);
    process.exit(1);
  }
}

void main();
