import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findOpenClawAgents, formatEvery, parseEvery, parseModelRef, readAgentModel } from "./find-agents";
import { parseOpenClawConfig } from "./read-openclaw-config";

const fixture = (name: string) =>
  parseOpenClawConfig(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")).config;
const ref = (text: string) => parseModelRef(text);

describe("parseModelRef", () => {
  it("splits provider and model at the first slash and names the kind", () => {
    expect(parseModelRef("anthropic/claude-opus-4-6")).toEqual({
      ref: "anthropic/claude-opus-4-6",
      provider: "anthropic",
      model: "claude-opus-4-6",
      kind: "claude",
    });
    expect(parseModelRef(" ollama/qwen3:32b ")).toMatchObject({
      ref: "ollama/qwen3:32b",
      model: "qwen3:32b",
      kind: "local",
    });
    expect(parseModelRef("offload-ops/claude-opus-4-6")).toMatchObject({ provider: "offload-ops", kind: "offload" });
    expect(parseModelRef("openrouter/qwen/qwen-2.5-vl-72b-instruct:free")).toMatchObject({
      provider: "openrouter",
      model: "qwen/qwen-2.5-vl-72b-instruct:free",
      kind: "external",
    });
    expect(parseModelRef("ollama-cloud/kimi-k2.5")?.kind).toBe("external");
    expect(parseModelRef("claude-cli/claude-opus-4-7")?.kind).toBe("external");
  });

  it("is null for what is not provider/model", () => {
    for (const text of ["", "opus", "/claude", "anthropic/", "  "]) expect(parseModelRef(text)).toBeNull();
  });
});

describe("readAgentModel", () => {
  it("reads the string form (strict primary)", () => {
    expect(readAgentModel("anthropic/claude-opus-4-6")).toEqual({
      primary: ref("anthropic/claude-opus-4-6"),
      fallbacks: undefined,
      form: "string",
    });
  });

  it("reads the object form, dropping unreadable fallbacks", () => {
    expect(
      readAgentModel({ primary: "anthropic/claude-opus-4-6", fallbacks: ["minimax/MiniMax-M2.7", 3, "x"] }),
    ).toEqual({
      primary: ref("anthropic/claude-opus-4-6"),
      fallbacks: [ref("minimax/MiniMax-M2.7")],
      form: "object",
    });
    expect(readAgentModel({ primary: "anthropic/claude-opus-4-6" })?.fallbacks).toBeUndefined();
    expect(readAgentModel({ primary: "anthropic/claude-opus-4-6", fallbacks: [] })?.fallbacks).toEqual([]);
  });

  it("resolves aliases", () => {
    const aliases = { opus: "anthropic/claude-opus-4-6", minimax: "minimax/MiniMax-M2.7" };
    expect(readAgentModel({ primary: "opus", fallbacks: ["minimax"] }, aliases)).toEqual({
      primary: ref("anthropic/claude-opus-4-6"),
      fallbacks: [ref("minimax/MiniMax-M2.7")],
      form: "object",
    });
  });

  it("is null without a readable primary", () => {
    for (const value of [
      undefined,
      null,
      42,
      "opus",
      { fallbacks: ["anthropic/claude-opus-4-6"] },
      { primary: 1 },
      [],
    ]) {
      expect(readAgentModel(value)).toBeNull();
    }
  });
});

describe("parseEvery", () => {
  it("reads durations in minutes, rounded up, a bare number being minutes", () => {
    expect(parseEvery("30m")).toBe(30);
    expect(parseEvery("1h")).toBe(60);
    expect(parseEvery("1h30m")).toBe(90);
    expect(parseEvery("2d")).toBe(2880);
    expect(parseEvery("5m")).toBe(5);
    expect(parseEvery("30s")).toBe(1);
    expect(parseEvery("90s")).toBe(2);
    expect(parseEvery("500ms")).toBe(1);
    expect(parseEvery("45")).toBe(45);
    expect(parseEvery(" 1.5H ")).toBe(90);
    expect(parseEvery("0.1h")).toBe(6);
    expect(parseEvery("1d2h3m")).toBe(1563);
  });

  it("reads 0m as 0 (no recurring heartbeat)", () => {
    expect(parseEvery("0m")).toBe(0);
    expect(parseEvery("0")).toBe(0);
  });

  it("is null for what OpenClaw refuses", () => {
    for (const text of ["", "soon", "-5m", "1h30", "30 m", "1w", "m"]) expect(parseEvery(text)).toBeNull();
  });
});

describe("formatEvery", () => {
  it("writes minutes as an OpenClaw duration that reads back the same", () => {
    expect(formatEvery(30)).toBe("30m");
    expect(formatEvery(60)).toBe("1h");
    expect(formatEvery(90)).toBe("1h30m");
    expect(formatEvery(1440)).toBe("1d");
    expect(formatEvery(1563)).toBe("1d2h3m");
    expect(formatEvery(0)).toBe("0m");
    for (const minutes of [0, 1, 5, 29, 60, 61, 119, 1439, 1440, 2881])
      expect(parseEvery(formatEvery(minutes))).toBe(minutes);
  });
});

describe("findOpenClawAgents", () => {
  it("reads the keyed roster with models and heartbeats inherited from agents.defaults", () => {
    const agents = findOpenClawAgents(fixture("entries.json5"));
    expect(agents.map((a) => [a.id, a.name, a.shape, a.path])).toEqual([
      ["main", "Main Agent", "entries", ["agents", "entries", "main"]],
      ["ops", "Ops", "entries", ["agents", "entries", "ops"]],
      ["research", "Research", "entries", ["agents", "entries", "research"]],
    ]);
    const [main, ops, research] = agents;
    expect(main?.model).toEqual({
      primary: ref("anthropic/claude-opus-4-6"),
      fallbacks: [ref("minimax/MiniMax-M2.7")],
      form: "object",
    });
    expect(main?.modelInherited).toBe(true);
    expect(ops?.model?.primary.kind).toBe("local");
    expect(ops?.modelInherited).toBe(false);
    expect(research?.model?.primary.ref).toBe("openai/gpt-5.4");
    for (const agent of agents) {
      expect(agent.heartbeat).toEqual({ every: "45m", everyMinutes: 45, lightContext: true, isolatedSession: true });
      expect(agent.runsHeartbeat).toBe(true);
    }
  });

  it("reads the older list roster; once an agent has its own heartbeat block, only it runs heartbeats", () => {
    const [main, ops] = findOpenClawAgents(fixture("list.json5"));
    expect(main).toMatchObject({ id: "main", shape: "list", path: ["agents", "list", 0], modelInherited: true });
    expect(main?.name).toBeUndefined();
    expect(main?.model?.form).toBe("string");
    expect(main?.heartbeat).toEqual({ every: "30m", everyMinutes: 30 });
    expect(main?.runsHeartbeat).toBe(false);
    expect(ops).toMatchObject({ id: "ops", name: "Ops", path: ["agents", "list", 1], modelInherited: false });
    expect(ops?.model?.fallbacks).toEqual([ref("openai/gpt-5.4")]);
    expect(ops?.heartbeat).toEqual({ every: "1h", everyMinutes: 60 });
    expect(ops?.runsHeartbeat).toBe(true);
  });

  it("reads the starter (agents.defaults alone) as one implicit agent, main", () => {
    expect(findOpenClawAgents(fixture("single-agent.json5"))).toEqual([
      {
        id: "main",
        shape: "defaults",
        path: ["agents", "defaults"],
        model: { primary: ref("anthropic/claude-opus-4-6"), fallbacks: undefined, form: "object" },
        modelInherited: false,
        heartbeat: {},
        runsHeartbeat: true,
      },
    ]);
  });

  it("reads the top-level agent form as main, over agents.defaults", () => {
    expect(findOpenClawAgents(fixture("single-agent-top-level.json5"))).toEqual([
      {
        id: "main",
        shape: "single",
        path: ["agent"],
        model: { primary: ref("anthropic/claude-sonnet-4-6"), fallbacks: undefined, form: "string" },
        modelInherited: false,
        heartbeat: { every: "2h", everyMinutes: 120, lightContext: true },
        runsHeartbeat: true,
      },
    ]);
  });

  it("reads both entries and list, entries first, an id once", () => {
    const agents = findOpenClawAgents({
      agents: {
        entries: { ops: { name: "Ops (entries)" }, $include: "./more.json5" },
        list: [{ id: "ops", name: "Ops (list)" }, { id: "dev" }, { name: "no id" }, "x"],
      },
    });
    expect(agents.map((a) => [a.id, a.name, a.shape])).toEqual([
      ["ops", "Ops (entries)", "entries"],
      ["dev", undefined, "list"],
    ]);
  });

  it("inherits the legacy top-level defaultModel, and treats a null model as unset", () => {
    const [main] = findOpenClawAgents({ defaultModel: "anthropic/claude-opus-4-6" });
    expect(main).toMatchObject({ id: "main", shape: "defaults", modelInherited: true });
    expect(main?.model?.primary.ref).toBe("anthropic/claude-opus-4-6");
    const [a] = findOpenClawAgents({
      agents: {
        defaults: { model: "opus", models: { "anthropic/claude-opus-4-6": { alias: "opus" } } },
        entries: { a: { model: null } },
      },
    });
    expect(a?.model?.primary.ref).toBe("anthropic/claude-opus-4-6");
    expect(a?.modelInherited).toBe(true);
  });

  it("gives no model for an unreadable one, and none at all for an empty file", () => {
    const [a] = findOpenClawAgents({ agents: { entries: { a: { model: "gpt" } } } });
    expect(a?.model).toBeNull();
    expect(a?.modelInherited).toBe(false);
    expect(findOpenClawAgents({})).toEqual([]);
  });

  it("keeps an unreadable heartbeat every without minutes", () => {
    const [a, b] = findOpenClawAgents({
      agents: { entries: { a: { heartbeat: { every: 30 } }, b: { heartbeat: { every: "soon" } } } },
    });
    expect(a?.heartbeat).toEqual({ every: "30" });
    expect(b?.heartbeat).toEqual({ every: "soon" });
  });

  describe("who runs heartbeats (heartbeat.md: scope and precedence)", () => {
    const runners = (agents: Record<string, unknown>) =>
      findOpenClawAgents({ agents })
        .filter((a) => a.runsHeartbeat)
        .map((a) => a.id);
    const roster = { home: {}, Work: {} };

    it("agents.defaults.heartbeat.agentId names the one agent (ids compared as OpenClaw normalizes them)", () => {
      expect(runners({ defaults: { heartbeat: { agentId: "work" } }, entries: roster })).toEqual(["Work"]);
    });
    it("agents.defaults.heartbeat alone enrolls every agent", () => {
      expect(runners({ defaults: { heartbeat: { every: "1h" } }, entries: roster })).toEqual(["home", "Work"]);
    });
    it("else the ambient owner: systemAgent.agentId, a lone legacy default, or the sole agent", () => {
      expect(runners({ defaults: { systemAgent: { agentId: "home" } }, entries: roster })).toEqual(["home"]);
      expect(runners({ entries: { home: {}, work: { default: true } } })).toEqual(["work"]);
      expect(runners({ ownership: "explicit", entries: { home: {}, work: { default: true } } })).toEqual([]);
      expect(runners({ entries: { home: {} } })).toEqual(["home"]);
      expect(runners({ entries: roster })).toEqual([]);
    });
    it("own heartbeat blocks win over all of that", () => {
      expect(
        runners({ defaults: { heartbeat: { agentId: "home" } }, entries: { home: {}, work: { heartbeat: {} } } }),
      ).toEqual(["work"]);
    });
  });
});
