// The production server's process. server/start.ts runs it with plain node and tsx's loader
// (`node --import tsx`), not under tsx's CLI: the CLI relays a SIGTERM to its child and kills it
// outright if the child has not acknowledged within ~60 ms, which a busy server may not, and the
// turns in flight would be lost instead of drained.
import path from "node:path";
import { readEnv } from "./env";
import { serveProduction } from "./serve";

const root = path.resolve(import.meta.dirname, "..");

async function main(): Promise<void> {
  const env = readEnv();
  try {
    await serveProduction({ dir: root, port: env.PORT });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(`offload: ${e.code === "EADDRINUSE" ? `port ${env.PORT} is already in use (PORT)` : e.message}`);
    process.exit(1);
  }
}

void main();
