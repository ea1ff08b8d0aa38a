// `offload smoke` as an operator runs it, against a fake Ollama on 127.0.0.1.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { SMOKE_SUITE } from "@/server/core/smoke/suite";
import { goodAnswer, lastUser } from "@/server/testing/smoke-answers";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-smoke-"));
let ollama: FakeOllama;

beforeAll(async () => {
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
const cli = (args: string[], env: Record<string, string | undefined> = {}, onStart?: (child: ChildProcess) => void) =>
  runCli(
    args,
    {
      OFFLOAD_DATA_DIR: dataDir,
      DATABASE_URL: undefined,
      OFFLOAD_DEMO: "off",
      OLLAMA_HOST: ollama.url,
      ANTHROPIC_API_KEY: undefined,
      ...env,
    },
    180_000,
    undefined,
    onStart,
  );

describe("offload smoke", () => {
  it("prints the documented JSON and exits 1 when a task failed", async () => {
    // The default fake answers "ok: ..." (and HEARTBEAT_OK to the quiet heartbeat): one task passes.
    const r = await cli(["smoke", "--model", "ollama/qwen3:8b", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as {
      model: string;
      passed: number;
      total: number;
      results: Record<string, unknown>[];
    };
    expect(out).toMatchObject({ model: "ollama/qwen3:8b", status: "failed", passed: 1, total: SMOKE_SUITE.length });
    expect(Object.keys(out.results[0]!)).toEqual([
      "task",
      "capability",
      "passed",
      "reason",
      "latencyMs",
      "tokens",
      "costMicroUsd",
    ]);
    expect(out.results.find((x) => x.task === "heartbeat-quiet")).toMatchObject({
      passed: true,
      capability: "instructions",
    });
  });

  it("prints a table and exits 0 when every task passed", async () => {
    ollama.setReply((body) => {
      const a = goodAnswer(lastUser(body));
      return { content: a.content, toolCalls: a.toolCalls };
    });
    try {
      const r = await cli(["smoke", "--model", "ollama/qwen3:8b", "--repeat", "2"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/TASK\s+CAPABILITY\s+RUN\s+RESULT/);
      expect(r.stdout).toContain(
        `ollama/qwen3:8b: ${2 * SMOKE_SUITE.length}/${2 * SMOKE_SUITE.length} passed (100%, 95% interval`,
      );
      expect(r.stdout).toContain("No task flips between runs.");
    } finally {
      ollama.setReply(null);
    }
  });

  it("cancels the run on Ctrl-C instead of leaving it running", async () => {
    ollama.setReply((body) => ({ ...goodAnswer(lastUser(body)), delayMs: 1_000 }));
    const chatsBefore = ollama.requests.filter((q) => q.path === "/api/chat").length;
    let poll: NodeJS.Timeout | undefined;
    try {
      const r = await cli(["smoke", "--model", "ollama/qwen3:8b", "--json"], {}, (child) => {
        // Interrupt once the first task is being answered.
        poll = setInterval(() => {
          if (ollama.requests.filter((q) => q.path === "/api/chat").length > chatsBefore) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 50);
      });
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(r.stdout) as { status: string; total: number; results: unknown[] };
      expect(out.status).toBe("cancelled");
      expect(out.total).toBe(SMOKE_SUITE.length);
      expect(out.results.length).toBeLessThan(SMOKE_SUITE.length);
    } finally {
      clearInterval(poll);
      ollama.setReply(null);
    }
  });

  it("exits 2 for a usage or configuration error", async () => {
    expect((await cli(["smoke"])).code).toBe(2);
    expect((await cli(["smoke", "--model", "qwen3:8b", "--repeat", "0"])).code).toBe(2);
    const noKey = await cli(["smoke", "--model", "anthropic/claude-opus-4-6"]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("ANTHROPIC_API_KEY");
  });
});
