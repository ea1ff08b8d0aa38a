// `npm start`. Plain JavaScript on purpose: this process stays alive as long as the server (it
// passes SIGINT/SIGTERM on and ends with the server's exit code), and under TypeScript's loader it
// held 100-140 MB for nothing (tsx, esbuild and the modules of the checks). It runs two children:
//   1. server/runtime/start.ts: checks the environment and the database, builds the dashboard on
//      first start; it ends with one line and a non-zero code when something is wrong;
//   2. server/runtime/serve-main.ts: the production server, with its memory flags.
import path from "node:path";
import { runNode as run } from "./run-node.mjs";

const root = path.resolve(import.meta.dirname, "..", "..");
const register = path.join(root, "server", "runtime", "register.mjs");

/**
 * V8's heap for the server process, unless NODE_OPTIONS sets them (the operator's word wins).
 * Node sizes the old space from the machine's memory (about 4 GB on a 24 GB machine), and with
 * that much room V8 lets the heap grow to four times what is live before collecting: under a
 * steady load the server's heap sat at 550 MB with 130-150 MB live. A 1 GB ceiling caps that
 * growth factor at about 1.6 (V8 scales it down for ceilings under 2 GB) and still leaves six times the
 * live heap for bursts and for turns queued while the database is away. A smaller young
 * generation (8 MB semi-spaces instead of 16) keeps another 16 MB out of the resident set, for
 * twice as many scavenges (their cost not measured separately). See docs/benchmarks.md, Memory.
 */
const SERVER_MAX_OLD_SPACE_MB = 1024;
const SERVER_MAX_SEMI_SPACE_MB = 8;

/** The node flags the server runs with. */
function serverNodeFlags(nodeOptions = "") {
  const flags = [];
  if (!/--max-old-space-size\b/.test(nodeOptions)) flags.push(`--max-old-space-size=${SERVER_MAX_OLD_SPACE_MB}`);
  if (!/--max-semi-space-size\b/.test(nodeOptions)) flags.push(`--max-semi-space-size=${SERVER_MAX_SEMI_SPACE_MB}`);
  return flags;
}

async function main() {
  const checked = await run(["--import", register, path.join(root, "server", "runtime", "start.ts")], process.env);
  if (checked !== 0) process.exit(checked);
  const serverEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    // glibc gives every thread that allocates its own malloc arena (up to 8 per core), each kept
    // resident once touched (before: four arenas of 20-40 MB beside the main heap); the server's
    // JavaScript runs on one thread. No effect with other C libraries.
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
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
