// One node child of `npm start` (the checks and build, the build itself, the server), in plain
// JavaScript so that the launcher (launch.mjs) can use it without TypeScript's loader.
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");

/** Runs node with these arguments in the project folder, passing SIGINT/SIGTERM on; resolves with its exit code. */
export function runNode(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit" });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
