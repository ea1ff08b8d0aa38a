import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyConfigEdits } from "./apply-edits";
import { applyMergePatch, exportRouting, toMergePatch } from "./export-routing";
import { findOpenClawAgents } from "./find-agents";
import type { ExportedAgent, ExportOptions, OffloadProviderModel } from "./openclaw-types";
import { planConnect } from "./plan-connect";
import { planImport } from "./plan-import";
import { parseOpenClawConfig } from "./read-openclaw-config";

const fixture = (name: string) =>
  parseOpenClawConfig(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

const OPUS: OffloadProviderModel = {
  id: "claude-opus-4-6",
  name: "Claude Opus 4.6",
  cost: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  contextWindow: 200_000,
  maxTokens: 32_000,
};
const OLLAMA = "http://127.0.0.1:11434";
const opts = (shape: ExportOptions["shape"]): ExportOptions => ({
  shape,
  baseUrl: "http://127.0.0.1:3000",
  models: [OPUS],
  ollamaBaseUrl: OLLAMA,
});
const agent = (fields: Partial<ExportedAgent> & { id: string }): ExportedAgent => ({
  name: fields.id,
  pin: "none",
  localModel: null,
  claudeModel: null,
  externalModel: null,
  heartbeatMinutes: 30,
  ...fields,
});

const FLEET: ExportedAgent[] = [
  agent({ id: "main", name: "Main Agent", claudeModel: "claude-opus-4-6", heartbeatMinutes: 30 }),
  agent({ id: "ops", name: "Ops", pin: "local", localModel: "qwen3:32b", heartbeatMinutes: 0 }),
  agent({ id: "research", name: "Research", externalModel: "openai/gpt-5.4", heartbeatMinutes: 90 }),
  agent({ id: "quiet", name: "Quiet", claudeModel: "claude-sonnet-4-6", heartbeatMinutes: null }),
  agent({ id: "idle", name: "Idle", heartbeatMinutes: 1440 }),
];

describe("exportRouting", () => {
  it("writes the keyed roster with the providers connect would write", () => {
    const config = exportRouting(FLEET.slice(0, 4), opts("entries"));
    expect(config).toEqual({
      models: {
        providers: {
          "offload-main": {
            baseUrl: "http://127.0.0.1:3000",
            api: "anthropic-messages",
            apiKey: "${OFFLOAD_KEY_MAIN}",
            models: [
              {
                id: "claude-opus-4-6",
                name: "Claude Opus 4.6",
                reasoning: true,
                input: ["text"],
                cost: OPUS.cost,
                contextWindow: 200_000,
                maxTokens: 32_000,
              },
            ],
          },
          ollama: { baseUrl: OLLAMA, api: "ollama" },
          "offload-quiet": {
            baseUrl: "http://127.0.0.1:3000",
            api: "anthropic-messages",
            apiKey: "${OFFLOAD_KEY_QUIET}",
            models: [{ id: "claude-sonnet-4-6", name: "claude-sonnet-4-6", reasoning: true, input: ["text"] }],
          },
        },
      },
      agents: {
        entries: {
          main: { name: "Main Agent", model: { primary: "offload-main/claude-opus-4-6" }, heartbeat: { every: "30m" } },
          ops: { name: "Ops", model: { primary: "ollama/qwen3:32b" }, heartbeat: { every: "0m" } },
          research: { name: "Research", model: { primary: "openai/gpt-5.4" }, heartbeat: { every: "1h30m" } },
          quiet: { name: "Quiet", model: { primary: "offload-quiet/claude-sonnet-4-6" } },
        },
      },
    });
  });

  it("writes the list roster with the same entries", () => {
    const config = exportRouting(FLEET, opts("list"));
    expect((config.agents as { list: unknown[] }).list).toEqual([
      {
        id: "main",
        name: "Main Agent",
        model: { primary: "offload-main/claude-opus-4-6" },
        heartbeat: { every: "30m" },
      },
      { id: "ops", name: "Ops", model: { primary: "ollama/qwen3:32b" }, heartbeat: { every: "0m" } },
      { id: "research", name: "Research", model: { primary: "openai/gpt-5.4" }, heartbeat: { every: "1h30m" } },
      { id: "quiet", name: "Quiet", model: { primary: "offload-quiet/claude-sonnet-4-6" } },
      { id: "idle", name: "Idle", heartbeat: { every: "1d" } },
    ]);
  });

  it("writes no ollama provider without a pinned-local agent", () => {
    const config = exportRouting([FLEET[0] as ExportedAgent], opts("entries"));
    expect(Object.keys((config.models as { providers: object }).providers)).toEqual(["offload-main"]);
  });

  it("round-trips through import, in both shapes", () => {
    for (const shape of ["entries", "list"] as const) {
      const plan = planImport(parseOpenClawConfig(JSON.stringify(exportRouting(FLEET, opts(shape)))));
      expect(
        plan.agents.map(({ id, name, pin, localModel, claudeModel, externalModel, heartbeatMinutes }) => ({
          id,
          name,
          pin,
          localModel,
          claudeModel,
          externalModel,
          heartbeatMinutes,
        })),
        shape,
      ).toEqual(FLEET);
      expect(plan.agents.every((a) => a.shape === shape)).toBe(true);
      expect(plan.ollamaBaseUrl).toBe(OLLAMA);
    }
  });
});

describe("toMergePatch", () => {
  it("is the config itself, copied", () => {
    const config = exportRouting(FLEET, opts("list"));
    const patch = toMergePatch(config);
    expect(patch).toEqual(config);
    expect(patch).not.toBe(config);
    expect(patch.agents).not.toBe(config.agents);
  });

  it("applied onto a connected file, gives the agents the exported models and keeps the rest", () => {
    for (const [name, shape] of [
      ["entries.json5", "entries"],
      ["list.json5", "list"],
    ] as const) {
      const file = fixture(name);
      const ids = findOpenClawAgents(file.config).map((a) => a.id);
      const connect = planConnect(file, {
        baseUrl: "http://127.0.0.1:3000",
        offloadIds: Object.fromEntries(ids.map((id) => [id, id])),
        keyEnvNames: {},
        models: [OPUS],
      });
      const connected = parseOpenClawConfig(applyConfigEdits(file.text, connect.edits).text);
      const fleet = planImport(connected).agents.map((a, i): ExportedAgent => {
        const moved = i === 0 ? { pin: "local" as const, localModel: "llama3.2:3b", claudeModel: null } : {};
        return { ...a, ...moved };
      });
      const exported = exportRouting(fleet, opts(shape));
      const merged = applyMergePatch(connected.config, toMergePatch(exported));
      const after = findOpenClawAgents(merged);
      const exportedAgents = findOpenClawAgents(exported);
      expect(
        after.map((a) => [a.id, a.model?.primary.ref]),
        name,
      ).toEqual(exportedAgents.map((a) => [a.id, a.model?.primary.ref]));
      expect(after[0]?.model?.primary.ref).toBe("ollama/llama3.2:3b");
      expect(after.length).toBe(ids.length);
      const before = findOpenClawAgents(connected.config);
      for (const [i, a] of after.entries())
        expect(a.model?.fallbacks, `${name} ${a.id}`).toEqual(before[i]?.model?.fallbacks);
    }
  });
});

describe("applyMergePatch", () => {
  it("merges objects recursively and deletes on null", () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, d: 3, e: 4 }, { a: { b: 5, x: null }, d: null, f: { g: 1 } })).toEqual({
      a: { b: 5, c: 2 },
      e: 4,
      f: { g: 1 },
    });
  });

  it("merges arrays of objects with an id by id, keeping untouched entries and their order", () => {
    const target = {
      agents: {
        list: [
          { id: "a", model: "x", tools: { allow: ["read"] } },
          { id: "b", name: "B" },
        ],
      },
    };
    const patch = {
      agents: {
        list: [
          { id: "b", model: "y", name: null },
          { id: "c", model: "z" },
        ],
      },
    };
    expect(applyMergePatch(target, patch)).toEqual({
      agents: {
        list: [
          { id: "a", model: "x", tools: { allow: ["read"] } },
          { id: "b", model: "y" },
          { id: "c", model: "z" },
        ],
      },
    });
  });

  it("replaces other arrays and values of another kind", () => {
    expect(
      applyMergePatch(
        { a: ["x", "y"], b: "s", c: [{ id: "1" }], d: { e: 1 } },
        { a: ["z"], b: { k: 1 }, c: ["q"], d: "flat" },
      ),
    ).toEqual({
      a: ["z"],
      b: { k: 1 },
      c: ["q"],
      d: "flat",
    });
    expect(applyMergePatch({ a: "s" }, { a: [{ id: "1", v: null }] })).toEqual({ a: [{ id: "1", v: null }] });
  });

  it("leaves the target as it was", () => {
    const target = { a: { b: [{ id: "x", v: 1 }] } };
    applyMergePatch(target, { a: { b: [{ id: "x", v: 2 }] } });
    expect(target).toEqual({ a: { b: [{ id: "x", v: 1 }] } });
  });
});
