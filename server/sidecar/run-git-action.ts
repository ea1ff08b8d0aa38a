// The git actions: `git` run with execFile (never a shell) in the work dir, on the repository there
// (never one above it), without a terminal to prompt on (GIT_TERMINAL_PROMPT=0), within 60 s, its
// output kept up to 1 MB a stream. A non-zero
// exit code fails the action with git's own words; the output stays in the result either way.
// Paths given to `git add` are confined like the file actions' and passed as literal pathspecs
// (GIT_LITERAL_PATHSPECS=1), so neither `:(top)` magic nor globs reach outside what was named.
import { execFile } from "node:child_process";
import path from "node:path";
import type { SidecarAction, SidecarResult } from "@/server/core/tasks/sidecar-actions";
import { ActionError } from "./action-error";
import { confinePath } from "./confine-path";

export type GitAction = Extract<SidecarAction, { action: `git.${string}` }>;
type GitResult = Extract<SidecarResult, { action: `git.${string}` }>;

export const GIT_TIMEOUT_MS = 60_000;
/** What a result keeps of each of stdout and stderr. */
export const GIT_OUTPUT_MAX_BYTES = 1024 * 1024;
/** What git may print before it is stopped (well above what is kept). */
const GIT_BUFFER_BYTES = 16 * 1024 * 1024;

/** The identity a commit gets when the repository (and the user) has none configured. */
export const FALLBACK_IDENTITY = { name: "Offload sidecar", email: "sidecar@offload.local" };

type Run = { exitCode: number; stdout: string; stderr: string };

function cap(text: string): string {
  if (Buffer.byteLength(text, "utf8") <= GIT_OUTPUT_MAX_BYTES) return text;
  const cut = Buffer.from(text, "utf8")
    .subarray(0, GIT_OUTPUT_MAX_BYTES)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return `${cut}\n[output cut at 1 MB]`;
}

/**
 * The environment git runs with: no prompt, and the repository found at the work dir or below it,
 * never above (GIT_CEILING_DIRECTORIES; a GIT_DIR or GIT_WORK_TREE of the sidecar's own environment
 * is dropped), so that no action reaches a repository that encloses the work dir.
 */
function gitEnv(workdir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", ...extra };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"]) delete env[name];
  env.GIT_CEILING_DIRECTORIES = path.dirname(workdir);
  return env;
}

function git(workdir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      {
        cwd: workdir,
        env: gitEnv(workdir, env),
        timeout: GIT_TIMEOUT_MS,
        killSignal: "SIGKILL",
        maxBuffer: GIT_BUFFER_BYTES,
        encoding: "utf8",
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exitCode: 0, stdout: cap(stdout), stderr: cap(stderr) });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown; signal?: string | null };
        if (e.code === "ENOENT") return reject(new ActionError("failed", "git is not installed (or not on PATH)"));
        if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
          return reject(new ActionError("failed", `git ${args[0]} printed more than 16 MB; stopped`));
        if (e.killed || e.signal)
          return reject(new ActionError("failed", `git ${args[0]} did not finish within ${GIT_TIMEOUT_MS / 1000} s`));
        if (typeof e.code === "number") return resolve({ exitCode: e.code, stdout: cap(stdout), stderr: cap(stderr) });
        reject(new ActionError("failed", `git ${args[0]}: ${e.message}`));
      },
    );
  });
}

/** The last lines of git's complaint, for the task's error (the whole output is in the result). */
function complaint(run: Run): string {
  const text = (run.stderr.trim() || run.stdout.trim()).split("\n").slice(-20).join("\n");
  return text.length > 4_000 ? `...${text.slice(-4_000)}` : text;
}

function finish(action: GitAction["action"], command: string, run: Run): GitResult {
  const result: GitResult = { action, exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
  if (run.exitCode !== 0)
    throw new ActionError(
      "failed",
      `git ${command} exited with ${run.exitCode}: ${complaint(run) || "no output"}`,
      result,
    );
  return result;
}

/** Whether `git config <key>` has a value here (the repository's, the user's or the system's). */
async function hasConfig(workdir: string, key: string): Promise<boolean> {
  const run = await git(workdir, ["config", "--get", key]);
  return run.exitCode === 0 && run.stdout.trim() !== "";
}

/** Runs one git action in `workdir` (a real path); an ActionError says why it was refused or failed. */
export async function runGitAction(action: GitAction, workdir: string): Promise<GitResult> {
  switch (action.action) {
    case "git.fetch":
      return finish(action.action, "fetch --prune", await git(workdir, ["fetch", "--prune"]));
    case "git.checkout_new_branch": {
      const check = await git(workdir, ["check-ref-format", "--branch", action.name]);
      if (check.exitCode !== 0)
        throw new ActionError("refused", `git.checkout_new_branch: "${action.name}" is not a branch name git accepts`);
      return finish(action.action, `checkout -b ${action.name}`, await git(workdir, ["checkout", "-b", action.name]));
    }
    case "git.add": {
      const paths: string[] = [];
      for (const p of action.paths) paths.push((await confinePath(workdir, p, { allowWorkdir: true })).relative);
      return finish(
        action.action,
        `add -- ${paths.join(" ")}`,
        await git(workdir, ["add", "--", ...paths], { GIT_LITERAL_PATHSPECS: "1" }),
      );
    }
    case "git.commit": {
      const identity: string[] = [];
      if (!(await hasConfig(workdir, "user.name"))) identity.push("-c", `user.name=${FALLBACK_IDENTITY.name}`);
      if (!(await hasConfig(workdir, "user.email"))) identity.push("-c", `user.email=${FALLBACK_IDENTITY.email}`);
      return finish(action.action, "commit", await git(workdir, [...identity, "commit", "-m", action.message]));
    }
    case "git.push": {
      const upstream = await git(workdir, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"]);
      return upstream.exitCode === 0
        ? finish(action.action, "push", await git(workdir, ["push"]))
        : finish(action.action, "push -u origin HEAD", await git(workdir, ["push", "-u", "origin", "HEAD"]));
    }
    case "git.status":
      return finish(
        action.action,
        "status --porcelain=v1 --branch",
        await git(workdir, ["status", "--porcelain=v1", "--branch"]),
      );
  }
}
