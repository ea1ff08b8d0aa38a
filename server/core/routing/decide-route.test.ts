import { describe, expect, it } from "vitest";
import { SEED_CATALOGUE } from "../catalogue";
import { classifyTask, type Classification, type ClassifierTaskType } from "../classifier/classify-task";
import { decideRoute, RouteError, type RouteContext, type RouteSettings } from "./decide-route";

const settings: RouteSettings = {
  defaultLocalModel: "qwen3:8b",
  defaultClaudeModel: "claude-opus-4-6",
  escalateWhenLocalDown: true,
  carefulToClaudeWhenDegraded: true,
  classifierMinConfidence: 0.5,
};

function ctx(over: Partial<RouteContext> = {}): RouteContext {
  return {
    agent: null,
    taskTypes: SEED_CATALOGUE,
    classify: classifyTask,
    health: { status: "up" },
    settings,
    ...over,
  };
}

const agent = (pin: "none" | "local" | "claude") => ({
  id: "loash",
  pin,
  localModel: "qwen3:14b",
  claudeModel: "claude-sonnet-4-6",
});
const fixed = (c: Partial<Classification>) => () => ({
  taskType: null,
  tier: 3 as const,
  confidence: 0,
  evidence: [],
  ...c,
});

describe("decideRoute precedence", () => {
  it("an agent's pin wins over an explicit task type", () => {
    const d = decideRoute({ agentId: "loash", taskType: "code-review" }, ctx({ agent: agent("local") }));
    expect(d).toMatchObject({ lane: "local", tier: 1, model: "qwen3:14b", taskType: "code-review", confidence: 1 });
    expect(d.reason).toBe("agent loash is pinned to local");
  });

  it("a pin to claude wins over a tier-1 classification", () => {
    const d = decideRoute(
      {
        agentId: "loash",
        title: "Read HEARTBEAT.md if it exists and follow it. If nothing needs attention, reply HEARTBEAT_OK.",
      },
      ctx({ agent: agent("claude") }),
    );
    expect(d).toMatchObject({ lane: "claude", tier: 3, model: "claude-sonnet-4-6", taskType: "heartbeat" });
    expect(d.reason).toContain("pinned to claude");
  });

  it("an explicit task type's lane wins over the classifier", () => {
    const d = decideRoute(
      { taskType: "heartbeat", title: "review PR 12 and find the root cause of the leak" },
      ctx({ agent: agent("none") }),
    );
    expect(d).toMatchObject({
      lane: "local",
      tier: 1,
      model: "qwen3:14b",
      taskType: "heartbeat",
      confidence: 1,
      reason: "task type heartbeat is in lane local",
    });
  });

  it("follows the task type's current lane, as the operator moved it", () => {
    const moved: ClassifierTaskType[] = SEED_CATALOGUE.map((t) =>
      t.id === "heartbeat" ? { ...t, lane: "claude" } : t,
    );
    expect(decideRoute({ taskType: "heartbeat" }, ctx({ taskTypes: moved }))).toMatchObject({
      lane: "claude",
      model: "claude-opus-4-6",
    });
    expect(
      decideRoute(
        { title: "Read HEARTBEAT.md and reply HEARTBEAT_OK if nothing needs attention" },
        ctx({ taskTypes: moved }),
      ),
    ).toMatchObject({
      lane: "claude",
      taskType: "heartbeat",
    });
  });

  it("classifies text when no task type is given, and says so", () => {
    const d = decideRoute({ title: "is the working tree clean?" }, ctx());
    expect(d.lane).toBe("local");
    expect(d.taskType).toBe("git-operations");
    expect(d.reason).toMatch(/^classified as git operations \(0\.\d\d\)$/);
  });

  it("acts on a confident local classification only", () => {
    const sure = decideRoute(
      { title: "x" },
      ctx({ classify: fixed({ taskType: "status-report", tier: 1, confidence: 0.8 }) }),
    );
    expect(sure).toMatchObject({ lane: "local", taskType: "status-report", confidence: 0.8 });
    const unsure = decideRoute(
      { title: "x" },
      ctx({ classify: fixed({ taskType: "status-report", tier: 1, confidence: 0.3 }) }),
    );
    expect(unsure).toMatchObject({ lane: "claude", taskType: "status-report", confidence: 0.3 });
    expect(unsure.reason).toContain("unsure");
  });

  it("uses the default lane, claude, with nothing to go on", () => {
    const d = decideRoute({ agentId: "loash" }, ctx({ agent: agent("none") }));
    expect(d).toMatchObject({ lane: "claude", tier: 3, model: "claude-sonnet-4-6", taskType: null, confidence: 0 });
    expect(d.reason).toContain("default lane is claude");
  });

  it("refuses an unknown explicit task type, naming the field", () => {
    try {
      decideRoute({ taskType: "no-such-type" }, ctx());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RouteError);
      expect((err as RouteError).field).toBe("taskType");
    }
  });

  it("uses the default models without an agent", () => {
    expect(decideRoute({ taskType: "status-report" }, ctx()).model).toBe("qwen3:8b");
    expect(decideRoute({ taskType: "code-review" }, ctx()).model).toBe("claude-opus-4-6");
  });
});

describe("decideRoute and Ollama's health", () => {
  it("sends local work to claude while Ollama is down", () => {
    const d = decideRoute({ taskType: "heartbeat" }, ctx({ health: { status: "down", reason: "connection refused" } }));
    expect(d).toMatchObject({ lane: "claude", tier: 3, model: "claude-opus-4-6", escalatedFrom: "local" });
    expect(d.reason).toContain("ollama down");
  });

  it("escalates even a pin to local while Ollama is down", () => {
    expect(decideRoute({}, ctx({ agent: agent("local"), health: { status: "down" } }))).toMatchObject({
      lane: "claude",
      escalatedFrom: "local",
    });
  });

  it("refuses local work while Ollama is down when escalation is off", () => {
    expect(() =>
      decideRoute(
        { taskType: "heartbeat" },
        ctx({ health: { status: "down" }, settings: { ...settings, escalateWhenLocalDown: false } }),
      ),
    ).toThrow(/escalation to Claude is turned off/);
  });

  it("leaves claude work alone while Ollama is down", () => {
    expect(decideRoute({ taskType: "code-review" }, ctx({ health: { status: "down" } }))).not.toHaveProperty(
      "escalatedFrom",
    );
  });

  it("moves local-with-care work to claude while degraded, when the setting says so", () => {
    const careful = decideRoute(
      { taskType: "log-summarization" },
      ctx({ health: { status: "degraded", reason: "model partly on CPU" } }),
    );
    expect(careful).toMatchObject({ lane: "claude", escalatedFrom: "local_careful" });
    expect(careful.reason).toContain("degraded");
    expect(decideRoute({ taskType: "heartbeat" }, ctx({ health: { status: "degraded" } }))).toMatchObject({
      lane: "local",
    });
    expect(
      decideRoute(
        { taskType: "log-summarization" },
        ctx({ health: { status: "degraded" }, settings: { ...settings, carefulToClaudeWhenDegraded: false } }),
      ),
    ).toMatchObject({
      lane: "local_careful",
    });
  });

  it("treats unknown health as up (no poll yet)", () => {
    expect(decideRoute({ taskType: "heartbeat" }, ctx({ health: { status: "unknown" } }))).toMatchObject({
      lane: "local",
    });
  });
});

describe("sidecar tasks", () => {
  it("need no model when asked about through the route API", () => {
    expect(decideRoute({ taskType: "git-fetch" }, ctx())).toMatchObject({ lane: "sidecar", tier: 0, model: null });
    expect(decideRoute({ taskType: "git-fetch" }, ctx({ health: { status: "down" } }))).toMatchObject({
      lane: "sidecar",
      model: null,
    });
  });

  it("are served by the local model when they reach the gateway, and escalate like local work", () => {
    const d = decideRoute({ taskType: "git-fetch", request: { lastUserText: "git fetch origin" } }, ctx());
    expect(d).toMatchObject({ lane: "sidecar", tier: 0, model: "qwen3:8b" });
    expect(d.reason).toContain("reached the gateway");
    expect(
      decideRoute(
        { taskType: "git-fetch", request: { lastUserText: "git fetch" } },
        ctx({ health: { status: "down" } }),
      ),
    ).toMatchObject({ lane: "claude" });
  });
});
