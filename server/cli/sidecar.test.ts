// `offload sidecar` as an operator runs it: usage errors exit 2 with a line that says what is
// wrong; `--once` works the queue of a stub (fake-task-queue.ts) until it answers 204, and exits 0;
// polling stops on SIGTERM once the task in hand is completed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";
import { startFakeTaskQueue, type FakeTaskQueue } from "@/server/testing/fake-task-queue";
import { UsageError } from "./cli-support";
import { sidecarCommand } from "./sidecar";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-sidecar-")));
  dirs.push(dir);
  return dir;
}

let queue: FakeTaskQueue;
beforeAll(async () => {
  queue = await startFakeTaskQueue();
  return () => queue.close();
});

const sidecar = (args: string[], key: string | undefined, onStart?: (child: ChildProcess) => void) =>
  runCli(["sidecar", ...args], { OFFLOAD_API_KEY: key, DATABASE_URL: undefined }, 60_000, undefined, onStart);

describe("offload sidecar", () => {
  it("refuses a bad call with exit code 2, one clear line, and the usage", async () => {
    const work = tempDir();
    const file = path.join(work, "file.txt");
    fs.writeFileSync(file, "");
    const base = ["--agent", "worker-1", "--url", queue.url];
    const [noKey, notDir] = await Promise.all([
      sidecar([...base, "--workdir", work], undefined),
      sidecar([...base, "--workdir", file], queue.key),
    ]);
    for (const [result, line] of [
      [noKey, "offload: OFFLOAD_API_KEY is not set: put the agent's Offload key there (offload agents add prints it)"],
      [notDir, `offload: --workdir ${file} is not a directory`],
    ] as const) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(line);
      expect(result.stderr).toContain(
        "  sidecar --agent ID --url URL --workdir DIR [--allow-host H]... [--once] [--poll-seconds N]",
      );
      expect(result.stdout).toBe("");
    }
    expect(queue.claims).toHaveLength(0);
  });

  it("names what is wrong with each option before reaching the server", async () => {
    const work = tempDir();
    const base = ["--agent", "worker-1", "--url", queue.url, "--workdir", work];
    const previousKey = process.env.OFFLOAD_API_KEY;
    process.env.OFFLOAD_API_KEY = "  ";
    const cases: [string[], string][] = [
      [base, "OFFLOAD_API_KEY is not set"],
      [
        ["--agent", "worker-1", "--url", queue.url, "--workdir", path.join(work, "nope")],
        `--workdir ${path.join(work, "nope")} does not exist`,
      ],
      [["--url", queue.url, "--workdir", work], "sidecar needs --agent"],
      [["--agent", "worker-1", "--workdir", work], "sidecar needs --url"],
      [["--agent", "worker-1", "--url", queue.url], "sidecar needs --workdir"],
      [["--agent", "Worker 1", "--url", queue.url, "--workdir", work], "--agent: agent id must be a slug"],
      [["--agent", "worker-1", "--url", "ftp://x", "--workdir", work], "--url must be Offload's http(s) base URL"],
      [
        [...base, "--allow-host", "https://api.example.com"],
        "--allow-host takes host or host:port (no scheme or path)",
      ],
      [[...base, "--poll-seconds", "0"], "--poll-seconds must be a number of seconds from 0.1 to 3600"],
      [[...base, "--poll-seconds", "soon"], "--poll-seconds must be a number of seconds from 0.1 to 3600"],
      [[...base, "--verbose"], "Unknown option '--verbose'"],
      [[...base, "extra"], "sidecar takes no positional arguments (got extra)"],
    ];
    try {
      for (const [args, message] of cases) {
        const err = await sidecarCommand(args).catch((e: unknown) => e);
        expect(err, args.join(" ")).toBeInstanceOf(UsageError);
        expect((err as Error).message).toContain(message);
      }
    } finally {
      if (previousKey === undefined) delete process.env.OFFLOAD_API_KEY;
      else process.env.OFFLOAD_API_KEY = previousKey;
    }
    expect(queue.claims).toHaveLength(0);
  });

  it("--once works the queue until it is empty, one line per task, and exits 0", async () => {
    const work = tempDir();
    const write = queue.add({ payload: { action: "file.write", path: "out/hello.txt", content: "hi" } });
    const ask = queue.add({ lane: "claude", title: "Say hi", taskType: "chat" });
    // Offload's own environment is not the sidecar's: a DATABASE_URL the server would refuse changes nothing here.
    const result = await runCli(
      [
        "sidecar",
        "--agent",
        "worker-1",
        "--url",
        `${queue.url}/`,
        "--workdir",
        work,
        "--allow-host",
        "api.example.com",
        "--once",
      ],
      { OFFLOAD_API_KEY: queue.key, DATABASE_URL: "not a database url" },
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`done ${write.id} file.write out/hello.txt\nescalated ${ask.id} via claude\n`);
    expect(result.stderr).toContain(`offload sidecar: agent worker-1 on ${queue.url}, work dir ${work}`);
    expect(result.stdout + result.stderr).not.toContain(queue.key);
    expect(fs.readFileSync(path.join(work, "out/hello.txt"), "utf8")).toBe("hi");
    expect(queue.completions.map((c) => [c.id, c.body.status, c.body.escalated])).toEqual([
      [write.id, "done", false],
      [ask.id, "done", true],
    ]);
    expect(queue.claims.at(-1)!.url).toBe("/api/v1/tasks/next?agent=worker-1&lease=900");
  });

  it("polling stops on SIGTERM after completing the task in hand, with exit code 0", async () => {
    const work = tempDir();
    queue.gatewayDelayMs = 1_500;
    const slow = queue.add({ lane: "local", title: "Take your time" });
    const messagesBefore = queue.messages.length;
    const completionsBefore = queue.completions.length;
    let child: ChildProcess | undefined;
    const running = sidecar(
      ["--agent", "worker-1", "--url", queue.url, "--workdir", work, "--poll-seconds", "0.2"],
      queue.key,
      (c) => (child = c),
    );
    await expect.poll(() => queue.messages.length, { timeout: 30_000 }).toBe(messagesBefore + 1);
    child!.kill("SIGTERM");
    const result = await running;
    queue.gatewayDelayMs = 0;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("offload sidecar: SIGTERM, stopping after the current task");
    expect(result.stdout).toBe(`escalated ${slow.id} via claude\n`);
    expect(queue.completions.slice(completionsBefore).map((c) => c.id)).toEqual([slow.id]);
  });
});
