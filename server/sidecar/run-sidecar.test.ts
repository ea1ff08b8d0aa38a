// The sidecar's loop against a stub of the queue and the gateway (fake-task-queue.ts): tasks are
// claimed with the agent's key, sidecar actions run with zero model calls, anything else is
// escalated to /v1/messages as the agent, every outcome is completed as the contract says, a
// lost claim is logged and passed, and `once` stops at the first 204. Polling stops on the signal.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeTaskQueue, type FakeTaskQueue } from "@/server/testing/fake-task-queue";
import { parseAllowHost } from "./allow-hosts";
import { runSidecar, type SidecarOptions } from "./run-sidecar";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let queue: FakeTaskQueue;
let work: string;
beforeEach(async () => {
  queue = await startFakeTaskQueue();
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "offload-sidecar-loop-")));
  dirs.push(work);
});
afterEach(() => queue.close());

function start(options: Partial<SidecarOptions> = {}) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const done = runSidecar({
    conn: { url: queue.url, agent: "worker-1", key: queue.key },
    context: { workdir: work, allowHosts: [parseAllowHost(new URL(queue.url).host)!] },
    once: true,
    pollSeconds: 0.05,
    log: (l) => lines.push(l),
    warn: (l) => warnings.push(l),
    retryDelayMs: 10,
    ...options,
  });
  return { done, lines, warnings };
}

const completionOf = (id: string) => queue.completions.filter((c) => c.id === id).map((c) => c.body);

describe("runSidecar --once", () => {
  it("runs, escalates and fails tasks as the contract says, then stops at the first 204", async () => {
    const write = queue.add({ payload: { action: "file.write", path: "notes/x.txt", content: "hello" } });
    const invalid = queue.add({ payload: { action: "file.write", path: 5, content: "x" } });
    const refused = queue.add({ payload: { action: "file.write", path: "../escape.txt", content: "x" } });
    const http = queue.add({ payload: { action: "http.get", url: `${queue.url}/nowhere` } });
    const claude = queue.add({
      lane: "claude",
      title: "Summarize the inbox",
      description: "Three lines at most.",
      taskType: "summarize",
      agentModel: "claude-opus-4-6",
      payload: { inbox: ["a", "b"] },
    });
    const noAction = queue.add({ lane: "sidecar", title: "Check the tree", payload: null });
    const notSidecarLane = queue.add({ lane: "local", payload: { action: "file.delete", path: "notes/x.txt" } });

    const { done, lines, warnings } = start();
    expect(await done).toBe(0);
    expect(warnings).toEqual([]);

    // Claims: one per task, then the 204; each with the agent's key and id.
    expect(queue.claims).toHaveLength(8);
    for (const c of queue.claims) {
      expect(c.url).toBe("/api/v1/tasks/next?agent=worker-1&lease=900");
      expect(c.headers["x-api-key"]).toBe(queue.key);
    }

    expect(fs.readFileSync(path.join(work, "notes/x.txt"), "utf8")).toBe("hello");
    expect(completionOf(write.id)).toEqual([
      {
        status: "done",
        result: { action: "file.write", path: "notes/x.txt", bytes: 5 },
        turns: 0,
        executedBy: "sidecar",
        escalated: false,
      },
    ]);
    expect(completionOf(invalid.id)).toEqual([
      {
        status: "failed",
        error: "invalid sidecar action: path: a path inside the work dir (text)",
        turns: 0,
        executedBy: "sidecar",
        escalated: false,
      },
    ]);
    expect(completionOf(refused.id)[0]).toMatchObject({
      status: "failed",
      error: 'refused: "../escape.txt" is outside the work dir',
      escalated: false,
    });
    expect(fs.existsSync(path.join(work, "..", "escape.txt"))).toBe(false);
    // An error status from an allowed host is a done action (the status is the result); here a 401,
    // since the agent's key is never sent along with an action's request, even to Offload itself.
    expect(completionOf(http.id)[0]).toMatchObject({ status: "done", result: { action: "http.get", status: 401 } });

    // The sidecar actions above made no gateway call; the three escalations below made one each.
    expect(queue.messages).toHaveLength(3);
    const [first, second] = queue.messages;
    expect(first!.headers["x-api-key"]).toBe(queue.key);
    expect(first!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(first!.headers["x-offload-task-type"]).toBe("summarize");
    expect(first!.body).toEqual({
      model: "claude-opus-4-6",
      max_tokens: 1024,
      messages: [
        {
          role: "user",
          content:
            'Summarize the inbox\n\nThree lines at most.\n\nPayload:\n{\n  "inbox": [\n    "a",\n    "b"\n  ]\n}',
        },
      ],
    });
    expect(completionOf(claude.id)).toEqual([
      {
        status: "done",
        result: { text: "Done: answered turn 1", lane: "claude", model: "claude-opus-4-6", turnId: "turn-1" },
        turns: 1,
        executedBy: "sidecar",
        escalated: true,
      },
    ]);
    expect(second!.headers["x-offload-task-type"]).toBeUndefined();
    expect(second!.body.messages[0]!.content).toBe("Check the tree");
    expect(completionOf(noAction.id)[0]).toMatchObject({ status: "done", escalated: true, turns: 1 });

    // A task routed to another lane is escalated even when its payload looks like an action: nothing deleted.
    expect(completionOf(notSidecarLane.id)[0]).toMatchObject({ status: "done", escalated: true });
    expect(fs.existsSync(path.join(work, "notes/x.txt"))).toBe(true);

    expect(lines).toEqual([
      `done ${write.id} file.write notes/x.txt`,
      `failed ${invalid.id}: invalid sidecar action: path: a path inside the work dir (text)`,
      `failed ${refused.id}: refused: "../escape.txt" is outside the work dir`,
      `done ${http.id} http.get ${queue.url}/nowhere 401`,
      `escalated ${claude.id} via claude`,
      `escalated ${noAction.id} via claude`,
      `escalated ${notSidecarLane.id} via claude`,
    ]);
    expect(lines.join("\n")).not.toContain(queue.key);
  });

  it("a gateway error fails the task, escalated, with the gateway's message", async () => {
    const task = queue.add({ lane: "local", title: "Answer" });
    queue.gatewayError = { status: 529, message: "Overloaded" };
    const { done, lines } = start();
    expect(await done).toBe(0);
    expect(completionOf(task.id)).toEqual([
      { status: "failed", error: "gateway: 529 Overloaded", turns: 1, executedBy: "sidecar", escalated: true },
    ]);
    expect(lines).toEqual([`failed ${task.id}: gateway: 529 Overloaded`]);
  });

  it("a lost claim (409) is logged and the loop goes on", async () => {
    const lost = queue.add({ payload: { action: "file.append", path: "a.log", content: "1\n" } });
    const next = queue.add({ payload: { action: "file.append", path: "a.log", content: "2\n" } });
    queue.completeStatus.set(lost.id, 409);
    const { done, lines, warnings } = start();
    expect(await done).toBe(0);
    expect(lines).toEqual([`done ${lost.id} file.append a.log`, `done ${next.id} file.append a.log`]);
    expect(warnings).toEqual([
      `offload sidecar: claim lost on ${lost.id} (the claim on ${lost.id} expired); its completion was not recorded`,
    ]);
    expect(completionOf(next.id)[0]).toMatchObject({ status: "done" });
  });

  it("a completion that meets a 5xx is sent again", async () => {
    const task = queue.add({ payload: { action: "file.list" } });
    queue.completeStatus.set(task.id, [503, 502, 200]);
    const { done, warnings } = start();
    expect(await done).toBe(0);
    expect(warnings).toEqual([]);
    expect(completionOf(task.id)).toHaveLength(3);
    expect(new Set(completionOf(task.id).map((c) => JSON.stringify(c))).size).toBe(1);
  });

  it("a completion refused three times is given up, and --once ends with exit code 1", async () => {
    const task = queue.add({ payload: { action: "file.list" } });
    queue.completeStatus.set(task.id, 503);
    const { done, lines, warnings } = start();
    expect(await done).toBe(1);
    expect(lines).toEqual([`done ${task.id} file.list .`]);
    expect(completionOf(task.id)).toHaveLength(3);
    expect(warnings).toEqual([
      `offload sidecar: completing ${task.id}: 503 the queue is unavailable; the task's outcome was not recorded`,
    ]);
  });

  it("a result the queue refuses to store (413) still ends the task: failed, without the result", async () => {
    fs.writeFileSync(path.join(work, "big.txt"), "big");
    const task = queue.add({ payload: { action: "file.read", path: "big.txt" } });
    queue.completeStatus.set(task.id, [413, 200]);
    const { done, warnings } = start();
    expect(await done).toBe(0);
    const [refused, fallback] = completionOf(task.id);
    expect(refused).toMatchObject({ status: "done", result: { content: "big" } });
    expect(fallback).toEqual({
      status: "failed",
      error: `the result could not be stored: completing ${task.id}: 413 the queue is unavailable`,
      turns: 0,
      executedBy: "sidecar",
      escalated: false,
    });
    expect(warnings).toHaveLength(1);
  });

  it("a bad key ends the run with exit code 1 and the server's message", async () => {
    const { done, warnings } = start({ conn: { url: queue.url, agent: "worker-1", key: "wrong" } });
    expect(await done).toBe(1);
    expect(warnings).toEqual(["offload sidecar: claiming the next task: 401 invalid API key"]);
  });
});

describe("runSidecar polling", () => {
  it("polls until a task comes, rides out a 503, and stops on the signal after the current task", async () => {
    const stop = new AbortController();
    queue.claimError = { status: 503, message: "restarting" };
    const { done, lines, warnings } = start({ once: false, signal: stop.signal });
    await expect.poll(() => warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toBe("offload sidecar: claiming the next task: 503 restarting; asking again in 0.05 s");
    queue.claimError = null;
    await expect.poll(() => queue.claims.length).toBeGreaterThan(3);
    const task = queue.add({ payload: { action: "file.write", path: "late.txt", content: "late" } });
    await expect.poll(() => lines).toEqual([`done ${task.id} file.write late.txt`]);
    stop.abort();
    expect(await done).toBe(0);
    const claims = queue.claims.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(queue.claims.length).toBe(claims);
  });
});
