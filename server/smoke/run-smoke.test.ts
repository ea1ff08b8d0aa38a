// Smoke runs end to end against model servers on 127.0.0.1 that answer well, answer badly, time
// out or break mid-answer: the verdicts are right, every answer is stored, nothing hangs.
import fs from "node:fs";
import os from "node:os";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { startFakeOllama, type FakeOllama, type OllamaReply } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic, type AnthropicReply } from "@/server/testing/fake-anthropic";
import { SMOKE_SUITE } from "@/server/core/smoke/suite";
import { cancelSmokeRun, markInterruptedSmokeRuns, startSmokeRun } from "./run-smoke";
import { compareSmokeRuns } from "./read-smoke";
import { SMOKE_MAX_REPEAT } from "@/server/core/smoke/smoke-limits";
import { goodAnswer, lastUser } from "@/server/testing/smoke-answers";
import { resetEnv } from "@/server/process/env";
import { OffloadError } from "@/server/core/errors";

const savedEnv = { ...process.env };
for (const target of testDatabases()) {
  describe(`smoke runs on ${target.kind}`, () => {
    let db: Db;
    let ollama: FakeOllama;
    let claude: FakeAnthropic;

    beforeAll(async () => {
      ollama = await startFakeOllama();
      claude = await startFakeAnthropic();
      Object.assign(process.env, {
        OLLAMA_HOST: ollama.url,
        ANTHROPIC_API_KEY: "sk-smoke",
        ANTHROPIC_BASE_URL: claude.url,
      });
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      await claude?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });
    beforeEach(async () => {
      ollama.failAlways(null);
      ollama.setReply(null);
      claude.setReply(null);
      db = await target.create();
      await seedCatalogue(db);
    });

    it("passes every task against a model that answers well, and stores every answer", async () => {
      ollama.setReply((body): OllamaReply => {
        const a = goodAnswer(lastUser(body));
        return { content: a.content, toolCalls: a.toolCalls };
      });
      const tmpBefore = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("offload-smoke-")).length;
      const progress: number[] = [];
      const { runId, done } = await startSmokeRun(db, {
        model: "ollama/qwen3:8b",
        onProgress: (p) => progress.push(p.done),
      });
      const result = await done;
      expect(result).toMatchObject({ status: "passed", passed: SMOKE_SUITE.length, total: SMOKE_SUITE.length });
      expect(progress).toEqual(SMOKE_SUITE.map((_, i) => i + 1));
      const run = await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: runId }, include: { results: true } });
      expect(run).toMatchObject({
        model: "ollama/qwen3:8b",
        status: "passed",
        passed: SMOKE_SUITE.length,
        total: SMOKE_SUITE.length,
      });
      expect(run.finishedAt).not.toBeNull();
      expect(run.results).toHaveLength(SMOKE_SUITE.length);
      expect(run.results.every((r) => r.outputTokens > 0 && r.costMicroUsd !== null)).toBe(true);
      // The tool definitions reached Ollama in its function shape.
      const exec = ollama.requests.find(
        (r) => r.path === "/api/chat" && JSON.stringify(r.body).includes("working tree clean"),
      )!.body;
      expect(exec.tools[0]).toMatchObject({ type: "function", function: { name: "exec" } });
      // Sandboxes are gone afterwards.
      expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("offload-smoke-")).length).toBe(tmpBefore);
    });

    it("fails the tasks a careless model gets wrong, with the grader's reason", async () => {
      ollama.setReply((body): OllamaReply => {
        const prompt = lastUser(body);
        if (prompt.includes("Inbox: 0 unread")) return { content: "HEARTBEAT_OK — all quiet today!" };
        if (prompt.includes("working tree clean")) return { content: "Yes, the working tree is clean." };
        if (prompt.includes("Write 42 to test.txt"))
          return { toolCalls: [{ name: "write_file", arguments: { path: "../escape.txt", content: "42" } }] };
        const a = goodAnswer(prompt);
        return { content: a.content, toolCalls: a.toolCalls };
      });
      const { runId, done } = await startSmokeRun(db, { model: "qwen3:8b" });
      const result = await done;
      expect(result).toMatchObject({ status: "failed", passed: SMOKE_SUITE.length - 3 });
      const failed = await db.prisma.smokeResult.findMany({
        where: { runId, passed: false },
        orderBy: { task: "asc" },
      });
      expect(failed.map((r) => [r.task, r.reason])).toEqual([
        ["exec-tree-clean", "no tool call; the task needs a call to exec"],
        ["heartbeat-quiet", 'replied "HEARTBEAT_OK — all quiet today!", not exactly HEARTBEAT_OK'],
        ["write-literal", 'write_file to "../escape.txt" is outside the sandbox; refused'],
      ]);
      expect(fs.existsSync(`${os.tmpdir()}/escape.txt`)).toBe(false);
    });

    it("never hangs: a task that times out or breaks mid-answer fails, and the run goes on", async () => {
      ollama.setReply((body): OllamaReply => {
        const prompt = lastUser(body);
        if (prompt.includes("Inbox: 3 unread")) return { content: "INBOX 3", delayMs: 5_000 };
        const a = goodAnswer(prompt);
        return { content: a.content, toolCalls: a.toolCalls };
      });
      ollama.failNext({ kind: "truncate" }); // the first task's answer breaks off
      const started = Date.now();
      const { done } = await startSmokeRun(db, { model: "ollama/qwen3:8b", taskTimeoutMs: 1_000 });
      const result = await done;
      expect(Date.now() - started).toBeLessThan(8_000);
      const byTask = new Map(result.results.map((r) => [r.task, r]));
      expect(byTask.get("heartbeat-quiet")).toMatchObject({ passed: false });
      expect(byTask.get("heartbeat-quiet")!.reason).toMatch(/the model call failed|no answer/);
      expect(byTask.get("heartbeat-inbox")).toMatchObject({ passed: false, reason: "no answer within 1 s" });
      expect(result.passed).toBe(SMOKE_SUITE.length - 2);
    });

    it("runs the suite on Claude through the SDK with the operator's key, priced, and repeats it", async () => {
      claude.setReply((body): AnthropicReply => {
        const a = goodAnswer(lastUser(body));
        return {
          text: a.content,
          toolUses: a.toolCalls?.map((c) => ({ name: c.name, input: c.arguments })),
          usage: { input_tokens: 400, output_tokens: 20 },
        };
      });
      const { done } = await startSmokeRun(db, { model: "anthropic/claude-opus-4-6", repeat: 2 });
      const result = await done;
      expect(result).toMatchObject({ status: "passed", passed: 2 * SMOKE_SUITE.length, total: 2 * SMOKE_SUITE.length });
      // 400 input x $5/M + 20 output x $25/M = 2,000 + 500 micro-dollars
      expect(result.results.every((r) => r.costMicroUsd === 2_500n)).toBe(true);
      expect(new Set(result.results.map((r) => r.iteration))).toEqual(new Set([0, 1]));
    });

    it("cancels a run in progress", async () => {
      ollama.setReply((body): OllamaReply => ({ ...goodAnswer(lastUser(body)), delayMs: 300 }) as OllamaReply);
      const { runId, done } = await startSmokeRun(db, { model: "ollama/qwen3:8b" });
      await new Promise((r) => setTimeout(r, 500));
      expect(cancelSmokeRun(runId)).toBe(true);
      const result = await done;
      expect(result.status).toBe("cancelled");
      expect(result.results.length).toBeLessThan(SMOKE_SUITE.length);
      expect((await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
    });

    it("compares a local and a Claude run and proposes the moves the evidence supports", async () => {
      // Locally, every message goes to the wrong recipient; Claude gets it right.
      ollama.setReply((body): OllamaReply => {
        const prompt = lastUser(body);
        if (prompt.includes("Tell Loash"))
          return { toolCalls: [{ name: "send_message", arguments: { to: "ops", text: "rebase please" } }] };
        const a = goodAnswer(prompt);
        return { content: a.content, toolCalls: a.toolCalls };
      });
      claude.setReply((body): AnthropicReply => {
        const a = goodAnswer(lastUser(body));
        return {
          text: a.content,
          toolUses: a.toolCalls?.map((c) => ({ name: c.name, input: c.arguments })),
          usage: { input_tokens: 400, output_tokens: 20 },
        };
      });
      const local = await (await startSmokeRun(db, { model: "ollama/qwen3:8b", repeat: 10 })).done;
      const remote = await (await startSmokeRun(db, { model: "anthropic/claude-opus-4-6" })).done;
      await db.prisma.taskType.update({ where: { id: "pr-branch-creation" }, data: { lane: "claude" } });

      const c = await compareSmokeRuns(db, [local.runId, remote.runId]);
      expect(c.runs.map((r) => [r.model, r.summary.overall.passed, r.summary.overall.answers])).toEqual([
        ["ollama/qwen3:8b", 10 * (SMOKE_SUITE.length - 1), 10 * SMOKE_SUITE.length],
        ["anthropic/claude-opus-4-6", SMOKE_SUITE.length, SMOKE_SUITE.length],
      ]);
      expect(c.runs[0]!.marks).toMatchObject({ messages: "poor", git: "good", json: "good" });
      expect(c.runs[1]!.summary.overall.costPer1000RunsMicroUsd).toBe(BigInt(SMOKE_SUITE.length) * 2_500n * 1000n);
      expect(c.evidenceRunId).toBe(local.runId);
      expect(c.proposals.map((p) => [p.taskTypeId, p.from, p.to]).sort()).toEqual([
        ["message-composition", "local_careful", "claude"],
        ["message-forwarding", "local", "claude"],
        ["pr-branch-creation", "claude", "local_careful"],
      ]);
      expect(c.proposals.find((p) => p.taskTypeId === "pr-branch-creation")!.question).toBe(
        "Git workflows passed 20/20 on ollama/qwen3:8b (95% interval 84-100%); 2/2 on anthropic/claude-opus-4-6: move PR branch creation from Claude to Local with care?",
      );
      await expect(compareSmokeRuns(db, [local.runId, "nope"])).rejects.toMatchObject({ field: "ids" });
    });

    it("marks runs a stopped server left running as interrupted, and leaves its own running ones alone", async () => {
      const orphan = await db.prisma.smokeRun.create({
        data: {
          model: "anthropic/claude-opus-4-6",
          status: "running",
          total: 11,
          startedAt: new Date(Date.now() - 2 * 60 * 60_000),
        },
      });
      ollama.setReply((body): OllamaReply => ({ ...goodAnswer(lastUser(body)), delayMs: 200 }) as OllamaReply);
      const live = await startSmokeRun(db, { model: "ollama/qwen3:8b" });
      expect(await markInterruptedSmokeRuns(db, new Date(Date.now() + 60 * 60_000))).toBe(1);
      expect(await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: orphan.id } })).toMatchObject({
        status: "error",
        error: "interrupted: Offload stopped during the run",
      });
      expect((await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: live.runId } })).status).toBe("running");
      cancelSmokeRun(live.runId);
      await live.done;
    });

    it("refuses a bad model or repeat, or a Claude run without a key, storing nothing", async () => {
      await expect(startSmokeRun(db, { model: "ollama/" })).rejects.toMatchObject({ field: "model" });
      await expect(startSmokeRun(db, { model: "qwen3:8b", repeat: 0 })).rejects.toMatchObject({ field: "repeat" });
      // repeat is capped: 5 starts of 100 repeats would be 5,500 model calls.
      await expect(startSmokeRun(db, { model: "qwen3:8b", repeat: SMOKE_MAX_REPEAT + 1 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "repeat",
        message: "repeat must be a whole number from 1 to 10",
      });
      delete process.env.ANTHROPIC_API_KEY;
      resetEnv();
      try {
        await expect(startSmokeRun(db, { model: "claude-opus-4-6" })).rejects.toMatchObject({ field: "model" });
      } finally {
        process.env.ANTHROPIC_API_KEY = "sk-smoke";
        resetEnv();
      }
      expect(await db.prisma.smokeRun.count()).toBe(0);
    });

    it("runs one smoke run per model at a time: a second start is refused with CONFLICT until the first ends", async () => {
      ollama.setReply((body): OllamaReply => ({ ...goodAnswer(lastUser(body)), delayMs: 100 }) as OllamaReply);
      // Two starts at once: exactly one runs.
      const both = await Promise.allSettled([
        startSmokeRun(db, { model: "ollama/qwen3:8b" }),
        startSmokeRun(db, { model: "qwen3:8b" }),
      ]);
      const started = both.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      const refused = both.flatMap((r) => (r.status === "rejected" ? [r.reason as OffloadError] : []));
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(OffloadError);
      expect(refused[0]).toMatchObject({ code: "CONFLICT", field: "model" });
      expect(refused[0]!.message).toMatch(/^a smoke run on ollama\/qwen3:8b is already running/);
      const first = started[0]!;
      const again = await startSmokeRun(db, { model: "ollama/qwen3:8b" }).catch((e: unknown) => e);
      expect(again).toMatchObject({ code: "CONFLICT" });
      expect((again as Error).message).toContain(`(${first.runId})`);
      // Another model is free.
      const other = await startSmokeRun(db, { model: "ollama/llama3.2:3b" });
      cancelSmokeRun(other.runId);
      await other.done;
      cancelSmokeRun(first.runId);
      await first.done;
      expect(await db.prisma.smokeRun.count()).toBe(2);
      // Once it has ended, the model takes a run again.
      ollama.setReply(null);
      const next = await startSmokeRun(db, { model: "ollama/qwen3:8b", tasks: SMOKE_SUITE.slice(0, 1) });
      await next.done;
    });

    it("refuses a run on a model another process is running, after ending runs whose process stopped", async () => {
      const elsewhere = await db.prisma.smokeRun.create({
        data: { model: "ollama/qwen3:8b", status: "running", total: 11 },
      });
      const err = await startSmokeRun(db, { model: "ollama/qwen3:8b" }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "CONFLICT", field: "model" });
      expect((err as Error).message).toContain(`(${elsewhere.id}) in another Offload process`);
      // The same run, left by a process that stopped long ago: ended, and the new run starts.
      await db.prisma.smokeRun.update({
        where: { id: elsewhere.id },
        data: { startedAt: new Date(Date.now() - 2 * 60 * 60_000) },
      });
      const run = await startSmokeRun(db, { model: "ollama/qwen3:8b", tasks: SMOKE_SUITE.slice(0, 1) });
      await run.done;
      expect(await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: elsewhere.id } })).toMatchObject({
        status: "error",
        error: "interrupted: Offload stopped during the run",
      });
    });

    it("stops a run after three consecutive timeouts with a clear verdict, instead of waiting out every task", async () => {
      ollama.failAlways({ kind: "hang" }); // accepts every request and never answers
      const started = Date.now();
      const { runId, done } = await startSmokeRun(db, { model: "ollama/qwen3:8b", taskTimeoutMs: 400, repeat: 2 });
      const result = await done;
      expect(Date.now() - started).toBeLessThan(6_000); // 3 timeouts (1.2 s), not 22 (8.8 s)
      expect(result.status).toBe("error");
      expect(result.results).toHaveLength(3);
      expect(result.results.every((r) => !r.passed && r.reason === "no answer within 400 ms")).toBe(true);
      const run = await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: runId } });
      expect(run).toMatchObject({ status: "error", passed: 0, total: 2 * SMOKE_SUITE.length });
      expect(run.error).toBe(
        `stopped: 3 consecutive timeouts (no answer within 400 ms); 3 of ${2 * SMOKE_SUITE.length} tasks run, the model server seems to hang`,
      );
      expect(run.finishedAt).not.toBeNull();
      expect(await db.prisma.smokeResult.count({ where: { runId } })).toBe(3);

      // Timeouts that are not in a row do not stop it.
      ollama.failAlways(null);
      let calls = 0;
      ollama.setReply((body): OllamaReply => {
        calls++;
        const a = goodAnswer(lastUser(body));
        return { content: a.content, toolCalls: a.toolCalls, ...(calls % 2 ? { delayMs: 1_500 } : {}) };
      });
      const alternating = await (await startSmokeRun(db, { model: "ollama/qwen3:8b", taskTimeoutMs: 1_000 })).done;
      expect(alternating.status).toBe("failed");
      expect(alternating.results).toHaveLength(SMOKE_SUITE.length);
    });
  });
}
