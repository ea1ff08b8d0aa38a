// The local context panel and the context planner on both databases, against a fake Ollama that
// publishes /api/show as Ollama does; turns written by the turn writer as the gateway writes them.
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { recordTurns } from "@/server/db/record-turns";
import { updateSettings } from "@/server/db/settings";
import type { Db } from "@/server/db/client";
import type { TurnRecord } from "@/server/core/turn-record";
import { testDatabases } from "@/server/testing/test-databases";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { resetEnv } from "@/server/process/env";
import { pollHealth } from "./health-monitor";
import { readLocalContext } from "./read-local-context";
import { candidateContexts, planContext } from "./plan-context";
import { forgetModelCards, showModel } from "./show-model";

const GiB = 1024 ** 3;
const DAY = 86_400_000;
const WEIGHTS = 5_200_000_000; // qwen3:8b in the fake's model list
const savedEnv = { ...process.env };

describe("candidateContexts", () => {
  it("offers the current context and the usual larger ones up to the model's native context", () => {
    expect(candidateContexts(32_768, 40_960)).toEqual([32_768, 40_960]);
    expect(candidateContexts(32_768, 131_072)).toEqual([32_768, 40_960, 49_152, 65_536, 98_304, 131_072]);
    expect(candidateContexts(32_768, null)).toEqual([32_768, 40_960, 49_152, 65_536, 98_304, 131_072]);
    expect(candidateContexts(32_768, 57_344)).toEqual([32_768, 40_960, 49_152, 57_344]);
    expect(candidateContexts(65_536, 40_960)).toEqual([65_536]);
  });
});

for (const target of testDatabases()) {
  describe(`local context and planner on ${target.kind}`, () => {
    let ollama: FakeOllama;
    let db: Db;
    const now = new Date();

    const turn = (over: Partial<TurnRecord>): TurnRecord => ({
      id: crypto.randomUUID(),
      agentId: "loash",
      taskTypeId: "heartbeat",
      lane: "claude",
      requestedModel: "claude-opus-4-6",
      servedModel: "claude-opus-4-6",
      status: "ok",
      inputTokens: 1_000,
      outputTokens: 50,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      latencyMs: 3_000,
      generationMs: null,
      loadMs: null,
      escalatedFromTurnId: null,
      reason: "t",
      errorMessage: null,
      costMicroUsd: 10_000n,
      counterfactualMicroUsd: null,
      source: "gateway",
      startedAt: new Date(now.getTime() - DAY),
      promptTokens: 1_000,
      contextForcedClaude: false,
      ...over,
    });
    const forced = (n: number, over: Partial<TurnRecord>) =>
      Array.from({ length: n }, (_, i) =>
        turn({ contextForcedClaude: true, startedAt: new Date(now.getTime() - (i + 1) * 3_600_000), ...over }),
      );

    /** Three days of recorded prompt sizes, and turns sent to Claude for their size in them. */
    async function recordWeek(): Promise<void> {
      await recordTurns(db, [
        // The first turn whose prompt size was recorded: three days ago.
        turn({ startedAt: new Date(now.getTime() - 3 * DAY) }),
        // Heartbeats of ~31k tokens: need 33,048 with the reserve, they fit 40,960.
        ...forced(6, { promptTokens: 31_000, costMicroUsd: 160_000n }),
        // Status reports of 45k: need 47,048, they fit 49,152.
        ...forced(3, { taskTypeId: "status-report", promptTokens: 45_000, costMicroUsd: 230_000n }),
        // A turn without a task type (a pinned agent), 35k.
        ...forced(1, { taskTypeId: null, promptTokens: 35_000, costMicroUsd: 150_000n }),
        // Not counted: eight days ago; a big turn that went to Claude for another reason; a local turn.
        turn({ contextForcedClaude: true, promptTokens: 31_000, startedAt: new Date(now.getTime() - 8 * DAY) }),
        turn({ promptTokens: 60_000, costMicroUsd: 999_000n }),
        turn({ lane: "local", servedModel: "qwen3:8b", promptTokens: 20_000, costMicroUsd: 1n }),
      ]);
    }

    beforeAll(async () => {
      ollama = await startFakeOllama();
      process.env.OLLAMA_HOST = ollama.url;
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });
    beforeEach(async () => {
      ollama.failAlways(null);
      ollama.setModels(["qwen3:8b", "llama3.1:8b"], [{ name: "qwen3:8b", size: 9 * GiB, sizeVram: 9 * GiB }]);
      forgetModelCards();
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
    });

    it("estimates the configured context from Ollama's /api/show and the model list, against the gpuVramGb setting", async () => {
      await pollHealth(db, now);
      const view = await readLocalContext(db);
      expect(view).toMatchObject({
        contextTokens: 32_768,
        answerReserveTokens: 2_048,
        kvCacheType: "f16",
        gpu: { source: "setting", totalBytes: 12 * GiB, freeBytes: null },
        moreModels: [],
      });
      expect(view.models).toHaveLength(1);
      const [m] = view.models;
      expect(m).toMatchObject({
        model: "qwen3:8b",
        isDefault: true,
        cardProblem: null,
        weightsBytes: WEIGHTS,
        card: {
          shape: {
            architecture: "qwen3",
            layers: 36,
            kvHeads: 8,
            keyLength: 128,
            valueLength: 128,
            nativeContext: 40_960,
          },
          family: "qwen3",
          parameterSize: "8.2B",
          quantization: "Q4_K_M",
        },
        estimate: {
          kvBytesPerToken: 147_456,
          kvCacheBytes: 4_831_838_208,
          totalBytes: WEIGHTS + 4_831_838_208,
          availableBytes: 12 * GiB,
          basis: "total",
          verdict: "fits",
        },
      });
      // The show answer is kept: a second read asks Ollama no more.
      const shows = () => ollama.requests.filter((r) => r.path === "/api/show");
      expect(shows()).toHaveLength(1);
      expect(shows()[0]!.body).toEqual({ model: "qwen3:8b" });
      await readLocalContext(db);
      expect(shows()).toHaveLength(1);

      // A quantised cache and a smaller GPU: 12 GB holds it at q8_0, 8 GB does not at f16.
      await updateSettings(db, { kvCacheType: "q8_0" });
      expect((await readLocalContext(db)).models[0]!.estimate).toMatchObject({
        kvBytesPerToken: 78_336,
        kvCacheBytes: 2_566_914_048,
      });
      await updateSettings(db, { kvCacheType: "f16", gpuVramGb: 8 });
      expect((await readLocalContext(db)).models[0]!.estimate).toMatchObject({
        verdict: "warn",
        headroomBytes: 8 * GiB - (WEIGHTS + 4_831_838_208),
      });
    });

    it("says why when Ollama cannot tell, without failing", async () => {
      // No health sample yet: the weights are unknown; the architecture still comes from /api/show.
      let [m] = (await readLocalContext(db)).models;
      expect(m).toMatchObject({ weightsBytes: null, estimate: { verdict: "unknown", kvCacheBytes: 4_831_838_208 } });
      expect(m!.weightsProblem).toContain("has not answered");

      forgetModelCards();
      ollama.failAlways({ kind: "refuse" });
      [m] = (await readLocalContext(db)).models;
      expect(m).toMatchObject({ card: null, estimate: null });
      expect(m!.cardProblem).toContain("connection refused");
      ollama.failAlways(null);

      forgetModelCards();
      await updateSettings(db, { defaultLocalModel: "mistral:7b" });
      [m] = (await readLocalContext(db)).models;
      expect(m!.cardProblem).toBe("mistral:7b is not installed in Ollama (ollama pull mistral:7b)");

      // A failure is asked again after a short while, a success kept longer.
      forgetModelCards();
      ollama.failAlways({ kind: "status", status: 500 });
      const t0 = Date.now();
      expect((await showModel("qwen3:8b", ollama.url, t0)).ok).toBe(false);
      ollama.failAlways(null);
      expect((await showModel("qwen3:8b", ollama.url, t0 + 1_000)).ok).toBe(false);
      expect((await showModel("qwen3:8b", ollama.url, t0 + 31_000)).ok).toBe(true);
      expect((await showModel("qwen3:8b", ollama.url, t0 + 5 * 60_000)).ok).toBe(true);
    });

    it("plans the context from the turns sent to Claude only for their size, per day over the recorded days", async () => {
      await pollHealth(db, now);
      await recordWeek();
      await updateSettings(db, { gpuVramGb: 10 });
      const plan = await planContext(db, now);
      expect(plan).toMatchObject({
        model: "qwen3:8b",
        currentContext: 32_768,
        answerReserveTokens: 2_048,
        nativeContext: 40_960,
        vramProblem: null,
        days: 3,
        forcedTurnsPerDay: 10 / 3,
        // (6 x 160,000 + 3 x 230,000 + 150,000) / 3 days
        forcedCostMicroUsdPerDay: 600_000n,
      });
      expect(plan.since.getTime()).toBe(now.getTime() - 3 * DAY);
      expect(plan.firstRecordedAt?.getTime()).toBe(now.getTime() - 3 * DAY);
      expect(plan.forced).toEqual([
        {
          taskTypeId: "heartbeat",
          name: "Heartbeat processing",
          turns: 6,
          turnsPerDay: 2,
          costMicroUsdPerDay: 320_000n,
          largestNeedTokens: 33_048,
        },
        {
          taskTypeId: "status-report",
          name: "Status reporting",
          turns: 3,
          turnsPerDay: 1,
          costMicroUsdPerDay: 230_000n,
          largestNeedTokens: 47_048,
        },
        {
          taskTypeId: "",
          name: "no task type",
          turns: 1,
          turnsPerDay: 1 / 3,
          costMicroUsdPerDay: 50_000n,
          largestNeedTokens: 37_048,
        },
      ]);
      // qwen3:8b's native context is 40,960: nothing larger is offered.
      expect(plan.candidates.map((c) => c.contextTokens)).toEqual([32_768, 40_960]);
      const [current, larger] = plan.candidates;
      expect(current).toMatchObject({ current: true, turnsPerDay: 0, costMicroUsdPerDay: 0n, byTaskType: [] });
      expect(current!.vram).toMatchObject({ totalBytes: WEIGHTS + 4_831_838_208, verdict: "fits" });
      expect(larger).toMatchObject({
        current: false,
        turnsPerDay: 7 / 3,
        costMicroUsdPerDay: 370_000n,
        byTaskType: [
          { taskTypeId: "heartbeat", turnsPerDay: 2 },
          { taskTypeId: "", name: "no task type", turnsPerDay: 1 / 3 },
        ],
      });
      // 5.2 GB + 5.6 GiB of cache is more than the 10 GB the setting says the GPU has.
      expect(larger!.vram).toMatchObject({ kvCacheBytes: 6_039_797_760, verdict: "warn" });
    });

    it("offers contexts up to a model's native 131,072 and still plans when Ollama is down", async () => {
      await pollHealth(db, now);
      await recordWeek();
      await updateSettings(db, { defaultLocalModel: "llama3.1:8b", kvCacheType: "q8_0" });
      const plan = await planContext(db, now);
      expect(plan.nativeContext).toBe(131_072);
      expect(plan.candidates.map((c) => [c.contextTokens, c.turnsPerDay, c.costMicroUsdPerDay])).toEqual([
        [32_768, 0, 0n],
        [40_960, 7 / 3, 370_000n],
        [49_152, 10 / 3, 600_000n],
        [65_536, 10 / 3, 600_000n],
        [98_304, 10 / 3, 600_000n],
        [131_072, 10 / 3, 600_000n],
      ]);
      // llama3.1:8b at q8_0: 69,632 bytes a token; 8.5 GiB at 131,072 plus its weights is over 12 GB.
      expect(plan.candidates.at(-1)!.vram).toMatchObject({
        kvBytesPerToken: 69_632,
        kvCacheBytes: 9_126_805_504,
        weightsBytes: 4_920_753_328,
        verdict: "warn",
      });
      expect(plan.candidates[2]!.vram!.verdict).toBe("fits");

      forgetModelCards();
      ollama.failAlways({ kind: "refuse" });
      const blind = await planContext(db, now);
      expect(blind.vramProblem).toContain("connection refused");
      expect(blind.nativeContext).toBeNull();
      expect(blind.candidates.every((c) => c.vram === null)).toBe(true);
      expect(blind.candidates).toHaveLength(6); // without the native context, every step is offered
      expect(blind.forcedTurnsPerDay).toBe(10 / 3);
    });

    it("judges each turn with the answer room the gateway kept for it (its max_tokens), else the setting", async () => {
      await pollHealth(db, now);
      await recordTurns(db, [
        turn({ startedAt: new Date(now.getTime() - 3 * DAY) }),
        // 40,800 tokens asking for at most 100 in the answer: 40,900 fits 40,960; with the whole
        // 2,048 of the setting (42,848) it would not.
        ...forced(2, { promptTokens: 40_800, answerReserveTokens: 100, costMicroUsd: 50_000n }),
        // Recorded before the gateway kept the reserve: the setting's 2,048 (33,048 fits 40,960).
        ...forced(1, { promptTokens: 31_000, costMicroUsd: 50_000n }),
      ]);
      const plan = await planContext(db, now);
      expect(plan.forced).toEqual([
        expect.objectContaining({ taskTypeId: "heartbeat", turns: 3, largestNeedTokens: 40_900 }),
      ]);
      expect(plan.candidates.map((c) => [c.contextTokens, c.turnsPerDay])).toEqual([
        [32_768, 0],
        [40_960, 1],
      ]);
    });

    it("is empty when nothing was sent to Claude for its size", async () => {
      let plan = await planContext(db, now);
      expect(plan).toMatchObject({ firstRecordedAt: null, days: 7, forced: [], forcedTurnsPerDay: 0 });
      // A day-old record: per day over at least one day.
      await recordTurns(db, [turn({ startedAt: new Date(now.getTime() - 60_000) })]);
      plan = await planContext(db, now);
      expect(plan).toMatchObject({ days: 1, forced: [], forcedTurnsPerDay: 0, forcedCostMicroUsdPerDay: 0n });
      expect(plan.candidates[0]).toMatchObject({ contextTokens: 32_768, current: true, turnsPerDay: 0 });
    });
  });
}
