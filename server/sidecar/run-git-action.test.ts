// The git actions against a real repository: a bare repository in a temporary folder is `origin`,
// a clone of it is the work dir, so fetch and push really travel. The user's and the system's git
// config are out of the way (an empty global file), so a commit shows the sidecar's own identity.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionError } from "./action-error";
import { FALLBACK_IDENTITY, runGitAction, type GitAction } from "./run-git-action";
import { runSidecarAction } from "./run-sidecar-action";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "offload-sidecar-git-")));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// This test file runs in its own process (pool: forks): the environment is its own.
const globalConfig = path.join(root, "gitconfig");
fs.writeFileSync(globalConfig, "");
process.env.GIT_CONFIG_GLOBAL = globalConfig;
process.env.GIT_CONFIG_NOSYSTEM = "1";
for (const v of ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR"])
  delete process.env[v];

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const origin = path.join(root, "origin.git");
const work = path.join(root, "work");
const other = path.join(root, "other");

beforeAll(() => {
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  git(root, "clone", "--quiet", origin, work);
  git(work, "checkout", "--quiet", "-B", "main");
});

const run = (action: GitAction) => runGitAction(action, work);
async function failure(action: GitAction, cwd = work): Promise<ActionError> {
  const err = await runGitAction(action, cwd).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe("git actions, in order, on a clone of a bare origin", () => {
  it("status shows the branch and an untracked file", async () => {
    fs.writeFileSync(path.join(work, "a.txt"), "a\n");
    const result = await run({ action: "git.status" });
    expect(result).toMatchObject({ action: "git.status", exitCode: 0, stderr: "" });
    expect(result.stdout).toContain("## No commits yet on main");
    expect(result.stdout).toContain("?? a.txt");
  });

  it("add stages the named paths only", async () => {
    fs.writeFileSync(path.join(work, "b.txt"), "b\n");
    expect(await run({ action: "git.add", paths: ["a.txt"] })).toMatchObject({ action: "git.add", exitCode: 0 });
    expect(git(work, "status", "--porcelain=v1")).toBe("A  a.txt\n?? b.txt");
  });

  it("commit, without any identity configured, commits as the sidecar", async () => {
    const result = await run({ action: "git.commit", message: "First commit\n\nfrom a task" });
    expect(result).toMatchObject({ action: "git.commit", exitCode: 0 });
    expect(result.stdout).toContain("First commit");
    expect(git(work, "log", "-1", "--format=%an <%ae>%n%B")).toBe(
      `${FALLBACK_IDENTITY.name} <${FALLBACK_IDENTITY.email}>\nFirst commit\n\nfrom a task`,
    );
    // Passed with -c for this commit only: nothing was written into the repository's config.
    expect(() => git(work, "config", "--get", "user.name")).toThrow();
  });

  it("push without an upstream pushes HEAD to origin and sets it", async () => {
    const result = await run({ action: "git.push" });
    expect(result).toMatchObject({ action: "git.push", exitCode: 0 });
    expect(result.stderr).toMatch(/\[new branch\]\s+HEAD -> main/);
    expect(git(origin, "log", "-1", "--format=%s", "main")).toBe("First commit");
    expect(git(work, "rev-parse", "--abbrev-ref", "@{u}")).toBe("origin/main");
  });

  it("checkout_new_branch creates and switches; push then sends the new branch", async () => {
    expect(await run({ action: "git.checkout_new_branch", name: "feature/task-1" })).toMatchObject({ exitCode: 0 });
    expect(git(work, "branch", "--show-current")).toBe("feature/task-1");
    await run({ action: "git.add", paths: ["."] });
    git(work, "config", "user.name", "Agent Smith");
    git(work, "config", "user.email", "smith@example.test");
    await run({ action: "git.commit", message: "Add b" });
    expect(git(work, "log", "-1", "--format=%an <%ae>")).toBe("Agent Smith <smith@example.test>");
    expect(await run({ action: "git.push" })).toMatchObject({ exitCode: 0 });
    expect(git(origin, "log", "-1", "--format=%s", "feature/task-1")).toBe("Add b");
  });

  it("push with an upstream pushes to it", async () => {
    fs.writeFileSync(path.join(work, "b.txt"), "b2\n");
    await run({ action: "git.add", paths: ["b.txt"] });
    await run({ action: "git.commit", message: "Change b" });
    expect(await run({ action: "git.push" })).toMatchObject({ exitCode: 0 });
    expect(git(origin, "log", "-1", "--format=%s", "feature/task-1")).toBe("Change b");
  });

  it("fetch brings what another clone pushed, and prunes a deleted branch", async () => {
    git(root, "clone", "--quiet", origin, other);
    git(
      other,
      "-c",
      "user.name=O",
      "-c",
      "user.email=o@example.test",
      "commit",
      "--quiet",
      "--allow-empty",
      "-m",
      "From other",
    );
    git(other, "push", "--quiet", "origin", "main");
    git(other, "push", "--quiet", "origin", "--delete", "feature/task-1");
    const result = await run({ action: "git.fetch" });
    expect(result).toMatchObject({ action: "git.fetch", exitCode: 0 });
    expect(result.stderr).toContain("[deleted]");
    expect(git(work, "log", "-1", "--format=%s", "origin/main")).toBe("From other");
  });
});

describe("git actions refused or failed", () => {
  it("a non-zero exit fails with git's words, and keeps the output in the result", async () => {
    const err = await failure({ action: "git.commit", message: "nothing staged" });
    expect(err.kind).toBe("failed");
    expect(err.message).toMatch(/^git commit exited with 1: /);
    expect(err.message).toMatch(/nothing (added )?to commit/);
    expect(err.result).toMatchObject({ action: "git.commit", exitCode: 1 });
  });

  it("outside a repository, git's 128 is the error", async () => {
    const plain = fs.mkdtempSync(path.join(root, "plain-"));
    const err = await failure({ action: "git.status" }, plain);
    expect(err.message).toMatch(/^git status --porcelain=v1 --branch exited with 128: fatal: not a git repository/);
  });

  it("never reaches a repository that encloses the work dir", async () => {
    const inside = path.join(work, "sub");
    fs.mkdirSync(inside, { recursive: true });
    const err = await failure({ action: "git.status" }, inside);
    expect(err.message).toMatch(/exited with 128: fatal: not a git repository/);
  });

  it("a branch name the contract lets through but git refuses is refused before checkout", async () => {
    const before = git(work, "branch", "--list");
    const err = await failure({ action: "git.checkout_new_branch", name: "topic.lock" });
    expect(err.kind).toBe("refused");
    expect(err.message).toBe('git.checkout_new_branch: "topic.lock" is not a branch name git accepts');
    expect(git(work, "branch", "--list")).toBe(before);
  });

  it("an existing branch fails checkout -b", async () => {
    const err = await failure({ action: "git.checkout_new_branch", name: "main" });
    expect(err.message).toMatch(/exited with 128: fatal: a branch named 'main' already exists/);
  });

  it("add refuses paths out of the work dir before running git, and reads pathspec magic literally", async () => {
    fs.writeFileSync(path.join(root, "outside.txt"), "outside\n");
    for (const p of ["../outside.txt", path.join(root, "outside.txt")]) {
      const err = await failure({ action: "git.add", paths: ["b.txt", p] });
      expect(err.kind).toBe("refused");
    }
    const magic = await failure({ action: "git.add", paths: [":(top)b.txt"] });
    expect(magic.message).toMatch(/exited with 128: fatal: pathspec ':\(top\)b\.txt' did not match any files/);
    expect(git(work, "status", "--porcelain=v1")).toBe("");
  });

  it("an invalid payload is a failure naming the field, before git runs", async () => {
    expect(await runSidecarAction({ action: "git.add", paths: [] }, { workdir: work, allowHosts: [] })).toEqual({
      ok: false,
      action: null,
      error: "invalid sidecar action: paths: at least one path",
    });
    expect(
      await runSidecarAction({ action: "git.checkout_new_branch", name: "-x" }, { workdir: work, allowHosts: [] }),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid sidecar action: name: a branch name git accepts/),
    });
  });
});
