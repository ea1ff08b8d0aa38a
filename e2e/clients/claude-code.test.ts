// End to end with the real Claude Code (@anthropic-ai/claude-code, installed by the global setup):
// headless `claude -p ... --output-format json` in an isolated HOME, pointed at Offload with an
// agent's key, the agent pinned to Claude. Its default model, --model claude-haiku-4-5, a tool loop
// (Read a file, then answer) and /context (count_tokens). For every request: Claude Code succeeded,
// the fake Anthropic got exactly what Claude Code sent, and Claude Code got exactly what it answered.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AnthropicReply } from "@/server/testing/fake-anthropic";
import { writeCapture } from "./captures";
import { collectCase, runProcess, startHarness, tempDir, type Harness, type ProcessResult } from "./harness";
import { describeRequests, expectTransparentCase, pairExchanges, type ExchangePair } from "./transparency";

const AGENT = "claude-code-e2e";
const RUN_TIMEOUT_MS = 240_000;

const clients = inject("clients");
let harness: Harness;
let agentKey = "";
const cleanups: (() => void)[] = [];

type ClaudeRun = { result: ProcessResult; output: any; pairs: ExchangePair[]; upstreamCount: number; work: string };

/**
 * Runs `claude -p <args> --output-format json` once in a fresh HOME and working folder, with
 * nothing from this process's environment but PATH, and collects the requests on both sides.
 */
async function runClaude(
  caseName: string,
  args: string[],
  reply: (body: any) => AnthropicReply,
  prepare?: (work: string) => void,
): Promise<ClaudeRun> {
  harness.reset();
  harness.anthropic.setReply(reply);
  const home = tempDir("claude-home");
  const work = tempDir("claude-work");
  cleanups.push(home.remove, work.remove);
  prepare?.(work.dir);
  const argv = ["-p", ...args, "--output-format", "json"];
  const result = await runProcess(clients.claude, argv, {
    cwd: work.dir,
    timeoutMs: RUN_TIMEOUT_MS,
    env: {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: home.dir,
      LANG: "C.UTF-8",
      ANTHROPIC_BASE_URL: harness.gateway.url,
      ANTHROPIC_API_KEY: agentKey,
      // Its documented switches for a headless run against a proxy: no telemetry, error reporting,
      // update checks or other traffic that is not the conversation.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      // Keeps a failing run short (its default is 10 retries with backoff).
      CLAUDE_CODE_MAX_RETRIES: "2",
    },
  });
  const record = await collectCase(harness);
  const pairs = pairExchanges(record.client, record.upstream);
  console.log(describeRequests(`claude-code ${caseName}`, record.client));
  const saved = await writeCapture(
    {
      client: "claude-code",
      clientVersion: clients.versions.claudeCode,
      caseName,
      command: ["claude", ...argv],
      replacements: {
        [agentKey]: "<offload-agent-key>",
        [work.dir]: "<workdir>",
        [home.dir]: "<home>",
        [harness.gateway.url]: "<offload-url>",
        [new URL(harness.gateway.url).host]: "<offload-host>",
      },
    },
    record.client,
  );
  if (saved) console.log(`saved ${saved}`);
  let output: any;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  return { result, output, pairs, upstreamCount: record.upstream.length, work: work.dir };
}

/** Claude Code exited 0 with a successful JSON result whose text passes `check`. */
function expectClaudeSucceeded(caseName: string, run: ClaudeRun, check: (text: string) => boolean, what: string) {
  const why = `exit ${run.result.code ?? run.result.signal}; stdout: ${run.result.stdout.slice(0, 1500)}; stderr: ${run.result.stderr.slice(-1500)}`;
  expect.soft(run.result.code, `${caseName}: claude exit status (${why})`).toBe(0);
  expect.soft(run.output?.is_error, `${caseName}: is_error in its JSON result (${why})`).toBe(false);
  const text = String(run.output?.result ?? "");
  expect.soft(check(text), `${caseName}: its result ${what}; it was ${JSON.stringify(text.slice(0, 300))}`).toBe(true);
}

const messagesOf = (run: ClaudeRun) =>
  run.pairs.filter((p) => p.client.request.url.startsWith("/v1/messages?") || p.client.request.url === "/v1/messages");
const bodyOf = (p: ExchangePair) => JSON.parse(p.client.request.body.toString("utf8"));

describe("Claude Code through Offload (agent pinned to Claude)", () => {
  beforeAll(async () => {
    harness = await startHarness();
    agentKey = await harness.addAgent(AGENT, "claude");
  });

  afterAll(async () => {
    await harness?.stop();
    for (const cleanup of cleanups) cleanup();
  });

  it("answers a prompt with its default model", async () => {
    const run = await runClaude("default-model", ["Reply with the single word pong."], () => ({ text: "pong" }));
    expectClaudeSucceeded("default-model", run, (t) => t.trim() === "pong", 'is "pong"');
    expect.soft(messagesOf(run).length, "default-model: Messages requests sent").toBeGreaterThan(0);
    await expectTransparentCase(harness, {
      caseName: "claude-code default-model",
      agentId: AGENT,
      agentKey,
      pairs: run.pairs,
      upstreamCount: run.upstreamCount,
    });
  });

  it("answers with --model claude-haiku-4-5, served by Haiku", async () => {
    const run = await runClaude("haiku", ["--model", "claude-haiku-4-5", "Reply with the single word pong."], () => ({
      text: "pong",
    }));
    expectClaudeSucceeded("haiku", run, (t) => t.trim() === "pong", 'is "pong"');
    const models = messagesOf(run).map((p) => bodyOf(p).model);
    expect.soft(models.length, "haiku: Messages requests sent").toBeGreaterThan(0);
    expect.soft(models, "haiku: the model Claude Code asked for").toEqual(models.map(() => "claude-haiku-4-5"));
    await expectTransparentCase(harness, {
      caseName: "claude-code haiku",
      agentId: AGENT,
      agentKey,
      pairs: run.pairs,
      upstreamCount: run.upstreamCount,
    });
  });

  it("runs a tool loop: reads a file with its Read tool, then answers", async () => {
    let file = "";
    const hasToolResult = (body: any) => {
      const last = body.messages?.[body.messages.length - 1];
      return Array.isArray(last?.content) && last.content.some((b: any) => b?.type === "tool_result");
    };
    const run = await runClaude(
      "tool-loop",
      ["Read notes.txt and tell me the launch code."],
      (body) =>
        hasToolResult(body)
          ? { text: "The launch code is 4242." }
          : { toolUses: [{ name: "Read", input: { file_path: file } }] },
      (work) => {
        file = path.join(work, "notes.txt");
        fs.writeFileSync(file, "Launch code: 4242\n");
      },
    );
    expectClaudeSucceeded("tool-loop", run, (t) => t.includes("4242"), "names the launch code 4242");
    const messages = messagesOf(run);
    expect
      .soft(messages.length, "tool-loop: Messages requests (the tool_use turn and the answer)")
      .toBeGreaterThanOrEqual(2);
    const withResult = messages.map(bodyOf).find(hasToolResult);
    const resultBlock = withResult?.messages.at(-1).content.find((b: any) => b.type === "tool_result");
    expect
      .soft(JSON.stringify(resultBlock?.content ?? null), "tool-loop: the tool_result carries the file's content")
      .toContain("4242");
    expect.soft(resultBlock?.is_error ?? false, "tool-loop: the Read tool succeeded").toBe(false);
    await expectTransparentCase(harness, {
      caseName: "claude-code tool-loop",
      agentId: AGENT,
      agentKey,
      pairs: run.pairs,
      upstreamCount: run.upstreamCount,
    });
  });

  it("counts tokens for /context", async () => {
    const run = await runClaude("count-tokens", ["/context"], () => ({ text: "unused" }));
    expectClaudeSucceeded("count-tokens", run, (t) => t.includes("Context Usage"), 'shows "Context Usage"');
    const counts = run.pairs.filter((p) => p.client.request.url.split("?")[0] === "/v1/messages/count_tokens");
    expect.soft(counts.length, "count-tokens: count_tokens requests sent").toBeGreaterThan(0);
    await expectTransparentCase(harness, {
      caseName: "claude-code count-tokens",
      agentId: AGENT,
      agentKey,
      pairs: run.pairs,
      upstreamCount: run.upstreamCount,
    });
  });
});
