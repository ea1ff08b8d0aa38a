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
import { cancelSmokeRun, startSmokeRun } from "./run-smoke";
import { goodAnswer, lastUser } from "@/server/testing/smoke-answers";

const savedEnv = { ...process.env };
for (const target of testDatabases()) {
  describe(`smoke runs on ${target.kind}`, () => {
    let db: Db;
    let ollama: FakeOllama;
    let claude: FakeAnthropic;

    beforeAll(async () => {
      ollama = await startFakeOllama();
      claude = await startFakeAnthropic();
      Object.assign(process.env, { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: "sk-smoke", ANTHROPIC_BASE_URL: claude.url });
    });
    afterAll(async () => {
      await ollama?.close();
      await claude?.close();
      process.env = { ...savedEnv };
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
      const { runId, done } = await startSmokeRun(db, { model: "ollama/qwen3:8b", onProgress: (p) => progress.push(p.done) });
      const result = await done;
      expect(result).toMatchObject({ status: "passed", passed: SMOKE_SUITE.length, total: SMOKE_SUITE.length });
      expect(progress).toEqual(SMOKE_SUITE.map((_, i) => i + 1));
      const run = await db.prisma.smokeRun.findUniqueOrThrow({ where: { id: runId }, include: { results: true } });
      expect(run).toMatchObject({ model: "ollama/qwen3:8b", status: "passed", passed: SMOKE_SUITE.length, total: SMOKE_SUITE.length });
      expect(run.finishedAt).not.toBeNull();
      expect(run.results).toHaveLength(SMOKE_SUITE.length);
      expect(run.results.every((r) => r.outputTokens > 0 && r.costMicroUsd !== null)).toBe(true);
      // The tool definitions reached Ollama in its function shape.
      const exec = ollama.requests.find((r) => r.path === "/api/chat" && JSON.stringify(r.body).includes("working tree clean"))!.body;
      expect(exec.tools[0]).toMatchObject({ type: "function", function: { name: "exec" } });
      // Sandboxes are gone afterwards.
      expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("offload-smoke-")).length).toBe(tmpBefore);
    });

    it("fails the tasks a careless model gets wrong, with the grader's reason", async () => {
      ollama.setReply((body): OllamaReply => {
        const prompt = lastUser(body);
        if (prompt.includes("Inbox: 0 unread")) return { content: "HEARTBEAT_OK — all quiet today!" };
        if (prompt.includes("working tree clean")) return { content: "Yes, the working tree is clean." };
        if (prompt.includes("Write 42 to test.txt")) return { toolCalls: [{ name: "write_file", arguments: { path: "../escape.txt", content: "42" } }] };
        const a = goodAnswer(prompt);
        return { content: a.content, toolCalls: a.toolCalls };
      });
      const { runId, done } = await startSmokeRun(db, { model: "qwen3:8b" });
      const result = await done;
      expect(result).toMatchObject({ status: "failed", passed: SMOKE_SUITE.length - 3 });
      const failed = await db.prisma.smokeResult.findMany({ where: { runId, passed: false }, orderBy: { task: "asc" } });
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
        return { text: a.content, toolUses: a.toolCalls?.map((c) => ({ name: c.name, input: c.arguments })), usage: { input_tokens: 400, output_tokens: 20 } };
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

    it("refuses a bad model or repeat, or a Claude run without a key, storing nothing", async () => {
      await expect(startSmokeRun(db, { model: "ollama/" })).rejects.toMatchObject({ field: "model" });
      await expect(startSmokeRun(db, { model: "qwen3:8b", repeat: 0 })).rejects.toMatchObject({ field: "repeat" });
      delete process.env.ANTHROPIC_API_KEY;
      try {
        await expect(startSmokeRun(db, { model: "claude-opus-4-6" })).rejects.toMatchObject({ field: "model" });
      } finally {
        process.env.ANTHROPIC_API_KEY = "sk-smoke";
      }
      expect(await db.prisma.smokeRun.count()).toBe(0);
    });
  });
}
