// `npm start`. Plain JavaScript on purpose: this process stays alive as long as the server (it
// passes SIGINT/SIGTERM on and ends with the server's exit code), and under TypeScript's loader it
// held 100-140 MB for nothing (tsx, esbuild and the modules of the checks). It runs two children:
//   1. server/runtime/start.ts: checks the environment and the database, builds the dashboard on
//      first start; it ends with one line and a non-zero code when something is wrong;
//   2. server/runtime/serve-main.ts: the production server, with its memory settings
//      (server-memory.mjs).
import path from "node:path";
import { runNode as run } from "./run-node.mjs";
import { serverMallocEnv, serverNodeFlags } from "./server-memory.mjs";

const root = path.resolve(import.meta.dirname, "..", "..");
const register = path.join(root, "server", "runtime", "register.mjs");

async function main() {
  const checked = await run(["--import", register, path.join(root, "server", "runtime", "start.ts")], process.env);
  if (checked !== 0) process.exit(checked);
  const serverEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    ...serverMallocEnv(process.env),
  };
  // The server (serve.ts: the agent endpoints ahead of Next.js, the rest through it) under plain
  // node with tsx's loader; see serve-main.ts for why not under tsx's CLI.
  process.exit(
    await run(
      [
        ...serverNodeFlags(process.env.NODE_OPTIONS),
        "--import",
        register,
        path.join(root, "server", "runtime", "serve-main.ts"),
      ],
      serverEnv,
    ),
  );
}

void main();
