// Runs one of the project's TypeScript entry points (through tsx) as a child process and collects its output.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");

export type RunResult = { code: number | null; stdout: string; stderr: string };

export function runTs(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 120_000,
  input?: string,
  onStart?: (child: ChildProcess) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(
      process.execPath,
      ["--import", path.join(PROJECT_ROOT, "server", "runtime", "register.mjs"), script, ...args],
      {
        cwd: PROJECT_ROOT,
        env: childEnv,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      },
    );
    if (input !== undefined) child.stdin!.end(input);
    onStart?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the offload CLI the way `npm run --silent offload -- ...` does. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs?: number,
  input?: string,
  onStart?: (child: ChildProcess) => void,
): Promise<RunResult> {
  return runTs("server/cli/cli.ts", args, env, timeoutMs, input, onStart);
}
