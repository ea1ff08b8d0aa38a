// The health monitor against a fake Ollama that speaks the published API and fails on demand.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { recordTurns } from "@/server/db/record-turns";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { decideRouteFor } from "@/server/routing/decide-routes";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import type { TurnRecord } from "@/server/core/turn-record";
import { pollHealth, thinHealthSamples } from "./health-monitor";
import { readHealthStatus } from "./read-health";
import { handleHealthRequest } from "./handle-health-request";
import { resetEnv } from "@/server/process/env";

const GB = 1024 ** 3;
const savedEnv = { ...process.env };

for (const target of testDatabases()) {
  describe(`health monitor on ${target.kind}`, () => {
    let ollama: FakeOllama;
    let db: Db;

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
      ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, contextLength: 16_384 }]);
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
    });

    it("is up with the model loaded fully on the GPU, and stores what it saw", async () => {
      const { verdict, sampleId } = await pollHealth(db);
      expect(verdict).toMatchObject({ status: "up", reasons: [] });
      const sample = await db.prisma.healthSample.findUniqueOrThrow({ where: { id: sampleId } });
      expect(sample).toMatchObject({ status: "up", ollamaVersion: "0.14.2" });
      expect(sample.loadedModels).toEqual([
        expect.objectContaining({ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, contextLength: 16_384 }),
      ]);
      expect(sample.installedModels).toEqual([expect.objectContaining({ name: "qwen3:8b" })]);
    });

    it("does not count its own probes as local requests in flight, even when polls overlap on a hanging host", async () => {
      ollama.failAlways({ kind: "hang" });
      const [first, second] = await Promise.all([pollHealth(db), pollHealth(db)]);
      expect(first.verdict.status).toBe("down");
      for (const { sampleId } of [first, second]) {
        const sample = await db.prisma.healthSample.findUniqueOrThrow({ where: { id: sampleId } });
        expect(sample.inFlight).toBe(0);
        expect(sample.hosts).toEqual([expect.objectContaining({ host: ollama.url, status: "down", inFlight: 0 })]);
      }
    });

    it("is degraded with the CPU share when half the model is off the GPU", async () => {
      ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 3 * GB }]);
      const { verdict } = await pollHealth(db);
      expect(verdict.status).toBe("degraded");
      expect(verdict.reasons.join(" ")).toContain("50% of it runs on the CPU");
    });

    it("is down with the pull command when the model is not installed", async () => {
      ollama.setModels(["llama3.2:3b"]);
      const { verdict } = await pollHealth(db);
      expect(verdict.status).toBe("down");
      expect(verdict.reasons[0]).toContain("ollama pull qwen3:8b");
    });

    it("is down, naming why, when Ollama refuses, hangs, fails or answers garbage; and up again when it is back", async () => {
      ollama.failAlways({ kind: "refuse" });
      expect((await pollHealth(db)).verdict.reasons[0]).toContain("connection refused");

      ollama.failAlways({ kind: "hang" });
      const started = Date.now();
      expect((await pollHealth(db)).verdict.reasons[0]).toContain("no answer");
      expect(Date.now() - started).toBeLessThan(15_000); // the probe's own timeout, not a hang

      ollama.failAlways({ kind: "status", status: 500 });
      expect((await pollHealth(db)).verdict.reasons[0]).toContain("HTTP 500");

      ollama.failAlways({ kind: "malformed" });
      expect((await pollHealth(db)).verdict.reasons[0]).toContain("not Ollama's JSON");

      ollama.failAlways(null);
      expect((await pollHealth(db)).verdict.status).toBe("up");
      expect((await db.prisma.healthSample.findMany({ orderBy: { takenAt: "asc" } })).map((s) => s.status)).toEqual([
        "down",
        "down",
        "down",
        "down",
        "up",
      ]);
    });

    it("routes local work to Claude while down, and back when up", async () => {
      ollama.failAlways({ kind: "refuse" });
      await pollHealth(db);
      const down = await decideRouteFor(db, { agent: "loash", taskType: "heartbeat" });
      expect(down.lane).toBe("claude");
      expect(down.reason).toContain("ollama down");
      ollama.failAlways(null);
      await pollHealth(db);
      expect((await decideRouteFor(db, { agent: "loash", taskType: "heartbeat" })).lane).toBe("local");
    });

    it("is degraded by the fleet's own slow or failing local turns, and notes cold loads", async () => {
      const base = (i: number, over: Partial<TurnRecord>): TurnRecord => ({
        id: crypto.randomUUID(),
        agentId: "loash",
        taskTypeId: "heartbeat",
        lane: "local",
        requestedModel: "claude-opus-4-6",
        servedModel: "qwen3:8b",
        status: "ok",
        inputTokens: 9_000,
        outputTokens: 100,
        cacheReadTokens: 0,
        cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0,
        latencyMs: 8_000,
        generationMs: 7_000,
        evalMs: 10_000,
        loadMs: 10,
        escalatedFromTurnId: null,
        reason: "t",
        errorMessage: null,
        costMicroUsd: 1n,
        counterfactualMicroUsd: 100n,
        source: "gateway",
        startedAt: new Date(Date.now() - i * 1_000),
        ...over,
      });
      await recordTurns(db, [
        ...Array.from({ length: 8 }, (_, i) => base(i, {})),
        base(9, { status: "escalated", errorMessage: "the local model did not answer within 120 s" }),
        base(10, { status: "escalated", errorMessage: "the local model refused" }), // a failed check, not a failing server
        base(11, { loadMs: 4_000 }),
        base(12, { loadMs: 3_000 }),
      ]);
      const { verdict } = await pollHealth(db);
      expect(verdict.status).toBe("degraded");
      const text = verdict.reasons.join(" | ");
      expect(text).toContain("10.0 tokens/s, below 20"); // 100 tokens in 10 s
      expect(text).toContain("(1 of 12)");
      expect(verdict.notes[0]).toContain("2 local turns paid a model load");
    });

    it("keeps 7 days at full rate and one sample an hour before that", async () => {
      const old = Date.now() - 10 * 86_400_000;
      await db.prisma.healthSample.createMany({
        data: [0, 10, 20, 70, 80].map((m) => ({
          takenAt: new Date(Math.floor(old / 3_600_000) * 3_600_000 + m * 60_000),
          status: "up" as const,
        })),
      });
      await pollHealth(db);
      expect(await thinHealthSamples(db)).toBe(3);
      expect(await db.prisma.healthSample.count()).toBe(3);
    });

    it("answers GET /api/v1/ollama/health for the admin token only", async () => {
      process.env.OFFLOAD_ADMIN_TOKEN = "admin-token-for-tests";
      resetEnv();
      try {
        await pollHealth(db);
        const ok = await handleHealthRequest(
          new Request("http://x/api/v1/ollama/health", { headers: { authorization: "Bearer admin-token-for-tests" } }),
          db,
        );
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({
          status: "up",
          reasons: [],
          ollamaVersion: "0.14.2",
          loadedModels: [expect.objectContaining({ name: "qwen3:8b" })],
        });
        const no = await handleHealthRequest(
          new Request("http://x/api/v1/ollama/health", { headers: { authorization: "Bearer wrong" } }),
          db,
        );
        expect(no.status).toBe(401);
        expect((await readHealthStatus(db)).stale).toBe(false);
      } finally {
        delete process.env.OFFLOAD_ADMIN_TOKEN;
        resetEnv();
      }
    });
  });
}
