// The production server's process. server/runtime/start.ts runs it with plain node and Offload's
// loader setup (`node --import ./server/runtime/register.mjs`: tsx and server-only), not under tsx's CLI: the CLI relays a SIGTERM to its child and kills it
// outright if the child has not acknowledged within ~60 ms, which a busy server may not, and the
// turns in flight would be lost instead of drained.
import path from "node:path";
import { env } from "@/server/process/env";
import { serveProduction } from "./serve";
import { log } from "@/server/process/log";

const root = path.resolve(import.meta.dirname, "..", "..");

async function main(): Promise<void> {
  // The start command (server/runtime/start.ts) checked the environment before starting this process.
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
