import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyConfigEdits } from "./apply-edits";
import { findOpenClawAgents } from "./find-agents";
import type { ConnectOptions, OffloadProviderModel, OpenClawConfigFile } from "./openclaw-types";
import { planConnect, planDisconnect } from "./plan-connect";
import { parseOpenClawConfig } from "./read-openclaw-config";

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const fixture = (name: string) => parseOpenClawConfig(fixtureText(name));
const fromConfig = (config: Record<string, unknown>) => parseOpenClawConfig(JSON.stringify(config, null, 2));

const OPUS: OffloadProviderModel = {
  id: "claude-opus-4-6",
  name: "Claude Opus 4.6",
  cost: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  contextWindow: 200_000,
  maxTokens: 32_000,
};
const SONNET: OffloadProviderModel = {
  id: "claude-sonnet-4-6",
  name: "Claude Sonnet 4.6",
  cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  contextWindow: 200_000,
  maxTokens: 64_000,
};
const BASE_URL = "http://127.0.0.1:3000";

function options(ids: string[], extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    baseUrl: BASE_URL,
    offloadIds: Object.fromEntries(ids.map((id) => [id, id])),
    keyEnvNames: {},
    models: [OPUS, SONNET],
    ...extra,
  };
}

const provider = (env: string, model: OffloadProviderModel) => ({
  baseUrl: BASE_URL,
  api: "anthropic-messages",
  apiKey: `\${${env}}`,
  models: [
    {
      id: model.id,
      name: model.name,
      reasoning: true,
      input: ["text"],
      cost: model.cost,
      contextWindow: model.contextWindow,
      maxTokens: model.maxTokens,
    },
  ],
});

/** The file after the plan's edits, parsed again. */
function connected(file: OpenClawConfigFile, opts: ConnectOptions): OpenClawConfigFile {
  return parseOpenClawConfig(applyConfigEdits(file.text, planConnect(file, opts).edits).text);
}

describe("planConnect", () => {
  it("connects the Claude agent of the keyed roster, writing the inherited model on the agent, and skips the others", () => {
    const plan = planConnect(fixture("entries.json5"), options(["main", "ops", "research"]));
    expect(plan.edits).toEqual([
      {
        path: ["agents", "entries", "main", "model"],
        value: { primary: "offload-main/claude-opus-4-6", fallbacks: ["minimax/MiniMax-M2.7"] },
        previous: undefined,
      },
      {
        path: ["models", "providers", "offload-main"],
        value: provider("OFFLOAD_KEY_MAIN", OPUS),
        previous: undefined,
      },
    ]);
    expect(plan.connected).toEqual([
      { openclawId: "main", offloadId: "main", provider: "offload-main", model: "claude-opus-4-6" },
    ]);
    expect(plan.skipped).toEqual([
      { openclawId: "ops", reason: "its primary ollama/qwen3:32b is local (Ollama): nothing for Offload to route" },
      { openclawId: "research", reason: "its primary openai/gpt-5.4 is not a Claude model" },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it("connects the list roster: a string model stays a string, an object keeps its fallbacks", () => {
    const plan = planConnect(
      fixture("list.json5"),
      options(["main", "ops"], { keyEnvNames: { ops: "OPS_OFFLOAD_KEY" } }),
    );
    expect(plan.edits.map((e) => [e.path, e.value, e.previous])).toEqual([
      [["agents", "list", 0, "model"], "offload-main/claude-sonnet-4-6", undefined],
      [["agents", "list", 1, "model", "primary"], "offload-ops/claude-opus-4-6", "anthropic/claude-opus-4-6"],
      [["models"], { providers: { "offload-main": provider("OFFLOAD_KEY_MAIN", SONNET) } }, undefined],
      [["models", "providers", "offload-ops"], provider("OPS_OFFLOAD_KEY", OPUS), undefined],
    ]);
    const after = findOpenClawAgents(connected(fixture("list.json5"), options(["main", "ops"])).config);
    expect(after[1]?.model).toMatchObject({ primary: { ref: "offload-ops/claude-opus-4-6" }, form: "object" });
    expect(after[1]?.model?.fallbacks?.map((f) => f.ref)).toEqual(["openai/gpt-5.4"]);
    expect(after[0]?.model?.form).toBe("string");
  });

  it("connects the single-agent forms on agents.defaults.model and agent.model", () => {
    expect(planConnect(fixture("single-agent.json5"), options(["main"])).edits[0]).toEqual({
      path: ["agents", "defaults", "model", "primary"],
      value: "offload-main/claude-opus-4-6",
      previous: "anthropic/claude-opus-4-6",
    });
    expect(planConnect(fixture("single-agent-top-level.json5"), options(["main"])).edits[0]).toEqual({
      path: ["agent", "model"],
      value: "offload-main/claude-sonnet-4-6",
      previous: "anthropic/claude-sonnet-4-6",
    });
    const legacy = planConnect(fromConfig({ defaultModel: "anthropic/claude-opus-4-6" }), options(["main"]));
    expect(legacy.edits[0]).toEqual({
      path: ["agents"],
      value: { defaults: { model: "offload-main/claude-opus-4-6" } },
      previous: undefined,
    });
  });

  it("keeps the comments of a JSONC file", () => {
    const file = fixture("commented.json5");
    const { text, keptLayout } = applyConfigEdits(file.text, planConnect(file, options(["main", "writer"])).edits);
    expect(keptLayout).toBe(true);
    for (const comment of [
      "// Gateway runtime",
      "// shared by both agents",
      "/* Claude by default, GPT when Anthropic is down */",
    ]) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('"model": "offload-writer/claude-opus-4-6", // strict: no fallback');
  });

  it("is idempotent: connecting a connected file changes nothing and still lists the agents", () => {
    for (const name of ["entries.json5", "list.json5", "commented.json5", "json5-only.json5", "single-agent.json5"]) {
      const opts = options(["main", "ops", "writer"], {
        heartbeatDirect: { model: "llama3.2:1b", ollamaBaseUrl: "http://127.0.0.1:11434" },
      });
      const once = connected(fixture(name), opts);
      const again = planConnect(once, opts);
      expect(again.edits, name).toEqual([]);
      expect(again.connected, name).toEqual(planConnect(fixture(name), opts).connected);
      expect(applyConfigEdits(once.text, planConnect(fixture(name), opts).edits).text, name).toBe(once.text);
    }
  });

  it("connects only the chosen agents and says why the others are left out", () => {
    const file = fromConfig({
      agents: {
        defaults: { model: "anthropic/claude-opus-4-6" },
        entries: {
          a: {},
          b: {},
          other: { model: "offload-b/claude-opus-4-6" },
          bare: { model: null },
          "bad-key": {},
        },
      },
    });
    const plan = planConnect(file, {
      ...options(["a", "other", "bad-key"]),
      agentIds: ["a", "other", "bare", "b", "bad-key", "ghost"],
      keyEnvNames: { "bad-key": "offload-key" },
    });
    expect(plan.connected.map((c) => c.openclawId)).toEqual(["a"]);
    expect(plan.skipped).toEqual([
      { openclawId: "b", reason: "no Offload agent for it: import it first" },
      { openclawId: "other", reason: "already on offload-b, another Offload agent's provider" },
      { openclawId: "bare", reason: "no Offload agent for it: import it first" },
      { openclawId: "bad-key", reason: "key variable offload-key is not a name OpenClaw substitutes" },
    ]);
    expect(plan.warnings).toEqual(["ghost: no such agent in the config"]);
    const some = planConnect(file, { ...options(["a", "b"]), agentIds: ["b"] });
    expect(some.skipped.find((s) => s.openclawId === "a")).toEqual({ openclawId: "a", reason: "not selected" });
    const noModel = planConnect(fromConfig({ agents: { entries: { a: {} } } }), options(["a"]));
    expect(noModel.skipped).toEqual([
      { openclawId: "a", reason: "no model: neither its own nor agents.defaults.model" },
    ]);
  });

  it("counts an agent already on its own provider as connected, refreshing its provider entry", () => {
    const file = fromConfig({
      models: { providers: { "offload-a": { ...provider("OFFLOAD_KEY_A", OPUS), baseUrl: "http://old:3000" } } },
      agents: { entries: { a: { model: "offload-a/claude-opus-4-6" } } },
    });
    const plan = planConnect(file, options(["a"]));
    expect(plan.connected).toEqual([
      { openclawId: "a", offloadId: "a", provider: "offload-a", model: "claude-opus-4-6" },
    ]);
    expect(plan.edits).toEqual([
      {
        path: ["models", "providers", "offload-a"],
        value: provider("OFFLOAD_KEY_A", OPUS),
        previous: { ...provider("OFFLOAD_KEY_A", OPUS), baseUrl: "http://old:3000" },
      },
    ]);
  });

  it("gives agents mapped to one Offload agent one provider with both models, and writes models without a price row bare", () => {
    const file = fromConfig({
      agents: { entries: { a: { model: "anthropic/claude-opus-4-6" }, b: { model: "anthropic/claude-haiku-4-5" } } },
    });
    const plan = planConnect(file, { ...options([]), offloadIds: { a: "shared", b: "shared" } });
    const models = plan.edits.find((e) => e.path.length === 1)?.value as {
      providers: Record<string, { models: unknown[] }>;
    };
    expect(models.providers["offload-shared"]?.models).toEqual([
      provider("X", OPUS).models[0],
      { id: "claude-haiku-4-5", name: "claude-haiku-4-5", reasoning: true, input: ["text"] },
    ]);
    expect(plan.warnings).toEqual(["claude-haiku-4-5: no price row, written without cost and limits"]);
  });

  it("warns when per-model settings keyed by the old reference will not follow the model", () => {
    const plan = planConnect(
      fromConfig({
        agents: {
          defaults: { models: { "anthropic/claude-opus-4-6": { alias: "opus", agentRuntime: { id: "claude-cli" } } } },
          entries: { a: { model: "opus" } },
        },
      }),
      options(["a"]),
    );
    expect(plan.edits[0]).toEqual({
      path: ["agents", "entries", "a", "model"],
      value: "offload-a/claude-opus-4-6",
      previous: "opus",
    });
    expect(plan.warnings).toEqual([
      'a: settings under agents.defaults.models["anthropic/claude-opus-4-6"] (params, agentRuntime) do not apply to offload-a/claude-opus-4-6',
    ]);
  });

  describe("heartbeatDirect", () => {
    const direct = { model: "llama3.2:1b", ollamaBaseUrl: "http://127.0.0.1:11434" };

    it("sets heartbeat.model on the agent's own block, adding the ollama provider or keeping the one there", () => {
      const plan = planConnect(fixture("list.json5"), options(["main", "ops"], { heartbeatDirect: direct }));
      const heartbeatEdits = plan.edits.filter((e) => e.path.includes("heartbeat"));
      expect(heartbeatEdits).toEqual([
        { path: ["agents", "list", 1, "heartbeat", "model"], value: "ollama/llama3.2:1b", previous: undefined },
      ]);
      expect(plan.edits.at(-1)).toEqual({
        path: ["models", "providers", "ollama"],
        value: { baseUrl: direct.ollamaBaseUrl, api: "ollama" },
        previous: undefined,
      });
      expect(plan.warnings).toEqual(["main: OpenClaw runs no heartbeat for it, heartbeat.model left as it is"]);
      const withOllama = planConnect(fixture("entries.json5"), options(["main"], { heartbeatDirect: direct }));
      expect(withOllama.edits.find((e) => e.path.includes("ollama"))).toBeUndefined();
      expect(withOllama.warnings).toContain(
        "models.providers.ollama is kept as it is (baseUrl http://ollama-host:11434)",
      );
    });

    it("creates the heartbeat block of the defaults form", () => {
      const plan = planConnect(fixture("single-agent.json5"), options(["main"], { heartbeatDirect: direct }));
      expect(plan.edits.slice(2)).toEqual([
        { path: ["agents", "defaults", "heartbeat"], value: { model: "ollama/llama3.2:1b" }, previous: undefined },
        {
          path: ["models", "providers", "ollama"],
          value: { baseUrl: direct.ollamaBaseUrl, api: "ollama" },
          previous: undefined,
        },
      ]);
    });

    it("keeps the other agents' heartbeats when the first own heartbeat block appears", () => {
      const file = fixture("entries.json5");
      const plan = planConnect(file, options(["main"], { heartbeatDirect: direct }));
      expect(plan.edits.filter((e) => e.path.includes("heartbeat"))).toEqual([
        {
          path: ["agents", "entries", "main", "heartbeat"],
          value: { model: "ollama/llama3.2:1b" },
          previous: undefined,
        },
        { path: ["agents", "entries", "ops", "heartbeat"], value: {}, previous: undefined },
        { path: ["agents", "entries", "research", "heartbeat"], value: {}, previous: undefined },
      ]);
      const after = findOpenClawAgents(connected(file, options(["main"], { heartbeatDirect: direct })).config);
      expect(after.map((a) => [a.id, a.runsHeartbeat, a.heartbeat.everyMinutes, a.heartbeat.model])).toEqual([
        ["main", true, 45, "ollama/llama3.2:1b"],
        ["ops", true, 45, undefined],
        ["research", true, 45, undefined],
      ]);
    });
  });
});

describe("planDisconnect", () => {
  it("reverts what connect wrote, leaving the config as it was and its comments in place", () => {
    for (const name of ["entries.json5", "list.json5", "commented.json5", "single-agent.json5"]) {
      const file = fixture(name);
      const opts = options(["main", "ops", "writer"], {
        heartbeatDirect: { model: "llama3.2:1b", ollamaBaseUrl: "http://127.0.0.1:11434" },
      });
      const saved = planConnect(file, opts).edits;
      const on = parseOpenClawConfig(applyConfigEdits(file.text, saved).text);
      const { edits, conflicts } = planDisconnect(on, saved);
      expect(conflicts, name).toEqual([]);
      const off = applyConfigEdits(on.text, edits).text;
      expect(parseOpenClawConfig(off).config, name).toEqual(file.config);
      if (name === "commented.json5") expect(off).toContain("/* Claude by default, GPT when Anthropic is down */");
    }
  });

  it("leaves what was changed since, and names it", () => {
    const file = fixture("commented.json5");
    const saved = planConnect(file, options(["main", "writer"])).edits;
    const on = applyConfigEdits(file.text, saved).text;
    const edited = parseOpenClawConfig(
      applyConfigEdits(on, [
        { path: ["agents", "entries", "writer", "model"], value: "anthropic/claude-sonnet-4-6", previous: undefined },
      ]).text,
    );
    const { edits, conflicts } = planDisconnect(edited, saved);
    expect(conflicts).toEqual(["agents.entries.writer.model was changed since Offload connected it: left as it is"]);
    expect(edits.map((e) => e.path)).toEqual([
      ["models", "providers", "offload-writer"],
      ["models"],
      ["agents", "entries", "main", "model"],
    ]);
  });

  it("does nothing for edits already undone", () => {
    const file = fixture("list.json5");
    const saved = planConnect(file, options(["main", "ops"])).edits;
    expect(planDisconnect(file, saved)).toEqual({ edits: [], conflicts: [] });
  });
});
