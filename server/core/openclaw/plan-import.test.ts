import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planImport } from "./plan-import";
import { parseOpenClawConfig } from "./read-openclaw-config";

const fixture = (name: string) =>
  parseOpenClawConfig(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const fromText = (text: string) => planImport(parseOpenClawConfig(text));

describe("planImport", () => {
  it("imports the keyed roster: Claude, pinned local and external agents, the Ollama host", () => {
    const plan = planImport(fixture("entries.json5"));
    expect(plan.agents).toEqual([
      {
        id: "main",
        openclawId: "main",
        name: "Main Agent",
        pin: "none",
        localModel: null,
        claudeModel: "claude-opus-4-6",
        externalModel: null,
        heartbeatMinutes: 45,
        shape: "entries",
      },
      {
        id: "ops",
        openclawId: "ops",
        name: "Ops",
        pin: "local",
        localModel: "qwen3:32b",
        claudeModel: null,
        externalModel: null,
        heartbeatMinutes: 45,
        shape: "entries",
      },
      {
        id: "research",
        openclawId: "research",
        name: "Research",
        pin: "none",
        localModel: null,
        claudeModel: null,
        externalModel: "openai/gpt-5.4",
        heartbeatMinutes: 45,
        shape: "entries",
      },
    ]);
    expect(plan.ollamaBaseUrl).toBe("http://ollama-host:11434");
  });

  it("never copies a credential: warnings name the paths only", () => {
    const file = fixture("entries.json5");
    const plan = planImport(file);
    const text = JSON.stringify(plan);
    for (const secret of ["sk-or-fixture-not-real", "ollama-local"]) expect(text).not.toContain(secret);
    expect(plan.warnings).toContain(
      "credentials stay in OpenClaw, none is imported: env.vars, models.providers.ollama.apiKey",
    );
    const starter = JSON.stringify(planImport(fixture("single-agent.json5")));
    expect(starter).not.toContain("example-anthropic-key-not-real");
    expect(starter).toContain("env.vars");
  });

  it("leaves credentials out of the Ollama URL, and an env-substituted one unset", () => {
    const withUser = fromText(
      `{ models: { providers: { ollama: { baseUrl: "http://me:hunter2@gpu.local:11434" } } } }`,
    );
    expect(withUser.ollamaBaseUrl).toBe("http://gpu.local:11434");
    expect(JSON.stringify(withUser)).not.toContain("hunter2");
    expect(withUser.warnings).toContain("models.providers.ollama.baseUrl holds credentials: imported without them");
    const fromEnv = fromText(`{ models: { providers: { ollama: { baseURL: "\${OLLAMA_HOST}" } } } }`);
    expect(fromEnv.ollamaBaseUrl).toBeNull();
    expect(fromEnv.warnings).toContain(
      "models.providers.ollama.baseUrl uses an environment variable: set Offload's Ollama host yourself",
    );
    expect(fromText(`{ models: { providers: { ollama: { baseURL: "http://lan:11434/" } } } }`).ollamaBaseUrl).toBe(
      "http://lan:11434/",
    );
    expect(fromText(`{ models: { providers: { ollama: { baseUrl: "not a url" } } } }`).ollamaBaseUrl).toBeNull();
    expect(fromText(`{}`).ollamaBaseUrl).toBeNull();
  });

  it("imports the older list roster, with no heartbeat for the agent OpenClaw runs none for", () => {
    const plan = planImport(fixture("list.json5"));
    expect(plan.agents.map((a) => [a.id, a.claudeModel, a.heartbeatMinutes, a.shape])).toEqual([
      ["main", "claude-sonnet-4-6", null, "list"],
      ["ops", "claude-opus-4-6", 60, "list"],
    ]);
    expect(plan.agents[0]?.name).toBe("main");
    expect(plan.warnings.some((w) => w.startsWith("no heartbeat for main:"))).toBe(true);
  });

  it("imports the single-agent forms as main, with the default cadence when none is set", () => {
    expect(planImport(fixture("single-agent.json5")).agents).toEqual([
      expect.objectContaining({ id: "main", claudeModel: "claude-opus-4-6", heartbeatMinutes: 30, shape: "defaults" }),
    ]);
    expect(planImport(fixture("single-agent-top-level.json5")).agents).toEqual([
      expect.objectContaining({ id: "main", claudeModel: "claude-sonnet-4-6", heartbeatMinutes: 120, shape: "single" }),
    ]);
  });

  it("reads an agent already on its Offload provider as a Claude agent", () => {
    const plan = fromText(`{ agents: { entries: { ops: { model: "offload-ops/claude-opus-4-6" } } } }`);
    expect(plan.agents[0]).toMatchObject({ pin: "none", claudeModel: "claude-opus-4-6", externalModel: null });
  });

  it("reads heartbeats: 0m is 0, past a day is capped, an unreadable one is none", () => {
    const plan = fromText(`{ agents: { entries: {
      off: { heartbeat: { every: "0m" } },
      weekly: { heartbeat: { every: "7d" } },
      odd: { heartbeat: { every: "often" } },
    } } }`);
    expect(plan.agents.map((a) => a.heartbeatMinutes)).toEqual([0, 1440, null]);
    expect(plan.warnings).toEqual([
      "weekly: heartbeat every 7d is longer than Offload's longest (1d): imported as 1440 minutes",
      'odd: heartbeat every "often" is not a duration (30m, 1h, 1h30m): no heartbeat imported',
    ]);
  });

  it("makes OpenClaw ids valid and unique Offload ids", () => {
    const plan = fromText(`{ agents: { entries: { "Ops_Bot": {}, "ops-bot": {}, "OPS.BOT": {} } } }`);
    expect(plan.agents.map((a) => [a.openclawId, a.id])).toEqual([
      ["Ops_Bot", "ops-bot"],
      ["ops-bot", "ops-bot-2"],
      ["OPS.BOT", "ops-bot-3"],
    ]);
    expect(plan.warnings).toContain("ops-bot: Offload id ops-bot is taken, imported as ops-bot-2");
  });

  it("warns of includes, a double roster, list items without an id, and unreadable models", () => {
    const plan = fromText(`{
      agents: {
        defaults: { model: "gpt" },
        entries: { a: {}, b: { model: { primary: 42 } } },
        list: [{ id: "a" }, { name: "nameless" }],
      },
      channels: { $include: "./channels.json5" },
    }`);
    expect(plan.agents.map((a) => [a.id, a.pin, a.claudeModel, a.externalModel])).toEqual([
      ["a", "none", null, null],
      ["b", "none", null, null],
    ]);
    expect(plan.warnings).toEqual([
      "channels.$include includes ./channels.json5: not followed, so what it defines is not imported",
      "agents.entries and agents.list both exist: both were read, entries first (OpenClaw reads agents.entries; `openclaw doctor --fix` migrates agents.list into it)",
      "agents.list[0] repeats agents.entries.a: read once, from agents.entries",
      "agents.list[1] has no id: skipped",
      'no heartbeat for a, b: OpenClaw does not run theirs (heartbeat.md "Scope and precedence": once any agent has its own heartbeat block only those do, else agents.defaults.heartbeat decides, else the one owner agent)',
      "agents.defaults.model is not a provider/model reference: no model imported",
      "agents.entries.b.model is not a provider/model reference: no model imported",
    ]);
  });

  it("says so when there is no agent", () => {
    expect(fromText("{}")).toEqual({
      agents: [],
      ollamaBaseUrl: null,
      warnings: ["no agents found (agents.entries, agents.list, agent or agents.defaults)"],
    });
  });
});
