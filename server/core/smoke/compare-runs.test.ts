import { describe, expect, it } from "vitest";
import { passRateInterval } from "./compare-runs";

describe("passRateInterval (Wilson, 95%)", () => {
  it("matches published values", () => {
    // 20/20: the interval is [0.839, 1]; 10/20: [0.299, 0.701].
    const all = passRateInterval(20, 20);
    expect(all.rate).toBe(1);
    expect(all.low).toBeCloseTo(0.8389, 3);
    expect(all.high).toBe(1);
    const half = passRateInterval(10, 20);
    expect(half.low).toBeCloseTo(0.2993, 3);
    expect(half.high).toBeCloseTo(0.7007, 3);
  });
  it("is empty for no runs and never leaves [0, 1]", () => {
    expect(passRateInterval(0, 0)).toEqual({ rate: 0, low: 0, high: 0 });
    const none = passRateInterval(0, 5);
    expect(none.low).toBe(0);
    expect(none.high).toBeGreaterThan(0.4);
  });
});

import {
  capabilityMark,
  defaultSmokeSelection,
  proposeTierMoves,
  summariseResults,
  summariseRun,
  type SmokeResultLike,
} from "./compare-runs";

function answers(
  capability: string,
  task: string,
  passes: boolean[],
  extra: Partial<SmokeResultLike> = {},
): SmokeResultLike[] {
  return passes.map((passed, iteration) => ({
    task,
    capability,
    iteration,
    passed,
    latencyMs: 100 * (iteration + 1),
    inputTokens: 90,
    outputTokens: 10,
    costMicroUsd: 500n,
    ...extra,
  }));
}
const times = (n: number, v: boolean) => Array.from({ length: n }, () => v);

describe("summariseResults", () => {
  it("gives pass rate, latency percentiles, tokens, cost per run and per 1,000 runs", () => {
    const s = summariseResults([
      ...answers("git", "branch-name", [true, true, false, true]),
      ...answers("git", "commit-message", times(4, true)),
    ]);
    expect(s.passed).toBe(7);
    expect(s.answers).toBe(8);
    expect(s.rate).toBeCloseTo(0.875);
    expect(s.latencyP50Ms).toBe(200);
    expect(s.latencyP95Ms).toBe(400);
    expect(s.tokensPerAnswer).toBe(100);
    // 8 answers at 500 micro-dollars over 4 repetitions: 1,000 per run, 1,000,000 per 1,000 runs.
    expect(s.costPerRunMicroUsd).toBe(1000n);
    expect(s.costPer1000RunsMicroUsd).toBe(1_000_000n);
    expect(s.flips).toBe(true);
  });
  it("is unpriced when an answer with tokens has no price, but not for calls that never answered", () => {
    expect(summariseResults(answers("json", "x", [true], { costMicroUsd: null })).costPerRunMicroUsd).toBeNull();
    const refused = summariseResults([
      ...answers("json", "x", [true]),
      ...answers("json", "y", [false], { costMicroUsd: null, inputTokens: 0, outputTokens: 0 }),
    ]);
    expect(refused.costPerRunMicroUsd).toBe(500n);
    expect(refused.flips).toBe(false);
  });
  it("prices a run as each task's mean cost an answer, summed, also when tasks were answered unevenly", () => {
    // A cancelled repeat: task a answered 3 times, task b once.
    const s = summariseResults([
      ...answers("git", "a", [true, true, true], { costMicroUsd: 300n }),
      ...answers("git", "b", [true], { costMicroUsd: 700n }),
    ]);
    expect(s.costPerRunMicroUsd).toBe(1000n);
    expect(s.costPer1000RunsMicroUsd).toBe(1_000_000n);
  });
  it("is empty without answers", () => {
    const s = summariseResults([]);
    expect([s.answers, s.latencyP50Ms, s.tokensPerAnswer, s.costPerRunMicroUsd]).toEqual([0, null, null, null]);
    expect(capabilityMark(s)).toBeNull();
  });
});

describe("capability marks", () => {
  it("uses the thresholds shown on the page", () => {
    const mark = (passed: number, total: number) =>
      capabilityMark(summariseResults(answers("git", "t", [...times(passed, true), ...times(total - passed, false)])));
    expect(mark(19, 20)).toBe("good");
    expect(mark(18, 20)).toBe("fair");
    expect(mark(16, 20)).toBe("fair");
    expect(mark(15, 20)).toBe("poor");
  });
});

describe("proposeTierMoves", () => {
  const catalogue = [
    { id: "pr-branch-creation", name: "PR branch creation", lane: "claude" as const },
    { id: "git-operations", name: "Git operations", lane: "local" as const },
    { id: "test-execution", name: "Test execution", lane: "local_careful" as const },
    { id: "heartbeat", name: "Heartbeat processing", lane: "local" as const },
    { id: "git-fetch", name: "Git fetch", lane: "sidecar" as const },
    { id: "code-review", name: "Code review", lane: "claude" as const },
  ];
  const run = (byCap: Record<string, boolean[]>) =>
    summariseRun(Object.entries(byCap).flatMap(([c, p]) => answers(c, `${c}-task`, p)));

  it("moves Claude work to Local with care when every capability it needs passed often enough", () => {
    const local = { model: "ollama/qwen3:8b", summary: run({ git: times(20, true), shell: times(20, true) }) };
    const proposals = proposeTierMoves({ local, taskTypes: catalogue });
    expect(proposals.map((p) => [p.taskTypeId, p.from, p.to])).toEqual([
      ["pr-branch-creation", "claude", "local_careful"],
    ]);
    expect(proposals[0]!.question).toBe(
      "Git workflows passed 20/20 on ollama/qwen3:8b (95% interval 84-100%): move PR branch creation from Claude to Local with care?",
    );
  });
  it("does not promote on a lucky handful, and never touches tier-3 or sidecar work", () => {
    const local = {
      model: "ollama/qwen3:8b",
      summary: run({ git: times(2, true), shell: times(2, true), instructions: times(2, true) }),
    };
    expect(proposeTierMoves({ local, taskTypes: catalogue })).toEqual([]);
  });
  it("sends failing capabilities back to Claude and checks shaky ones", () => {
    const local = {
      model: "ollama/qwen3:8b",
      summary: run({
        git: times(20, true),
        shell: [...times(10, true), ...times(10, false)],
        instructions: [...times(17, true), ...times(3, false)],
      }),
    };
    const moves = proposeTierMoves({ local, taskTypes: catalogue }).map((p) => [
      p.taskTypeId,
      p.to,
      p.capabilities.join(),
    ]);
    expect(moves).toEqual([
      ["pr-branch-creation", "local_careful", "git"],
      ["git-operations", "claude", "shell"],
      ["test-execution", "claude", "shell"],
      ["heartbeat", "local_careful", "instructions"],
    ]);
  });
  it("does not move work away from the local model on one or two bad answers", () => {
    const local = { model: "ollama/qwen3:8b", summary: run({ shell: [false, false], instructions: [false] }) };
    expect(proposeTierMoves({ local, taskTypes: catalogue })).toEqual([]);
    const three = { model: "ollama/qwen3:8b", summary: run({ shell: [false, false, true] }) };
    expect(proposeTierMoves({ local: three, taskTypes: catalogue }).map((p) => p.taskTypeId)).toEqual([
      "test-execution",
    ]); // git-operations also needs git, not measured here
  });
  it("does not blame the local model for a task Claude fails as often", () => {
    const local = { model: "ollama/qwen3:8b", summary: run({ shell: [...times(5, true), ...times(5, false)] }) };
    const claudeAsBad = {
      model: "anthropic/claude-opus-4-6",
      summary: run({ shell: [...times(4, true), ...times(6, false)] }),
    };
    expect(proposeTierMoves({ local, claude: claudeAsBad, taskTypes: catalogue })).toEqual([]);
    const claudeBetter = { model: "anthropic/claude-opus-4-6", summary: run({ shell: times(10, true) }) };
    const withBetter = proposeTierMoves({ local, claude: claudeBetter, taskTypes: catalogue });
    expect(withBetter.map((p) => p.taskTypeId)).toEqual(["test-execution"]);
    expect(withBetter[0]!.evidence).toContain("10/10 on anthropic/claude-opus-4-6");
  });
});

describe("defaultSmokeSelection", () => {
  it("picks the newest finished local and Claude runs, never a running, cancelled or broken one", () => {
    const runs = [
      { id: "r6", model: "ollama/qwen3:8b", status: "running" },
      { id: "r5", model: "ollama/qwen3:8b", status: "cancelled" },
      { id: "r4", model: "anthropic/claude-opus-4-6", status: "error" },
      { id: "r3", model: "ollama/qwen3:8b", status: "failed" },
      { id: "r2", model: "anthropic/claude-opus-4-6", status: "passed" },
      { id: "r1", model: "ollama/qwen3:8b", status: "passed" },
    ];
    expect(defaultSmokeSelection(runs)).toEqual(["r3", "r2"]);
    expect(defaultSmokeSelection(runs.slice(0, 2))).toEqual([]);
  });
});
