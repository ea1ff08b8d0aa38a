import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { handleReportTurns } from "./report-turns";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import type { Db } from "@/server/db/client";

function post(body: unknown, key?: string): Request {
  return new Request("http://offload.test/api/v1/turns", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    body: JSON.stringify(body),
  });
}

const usage = {
  input_tokens: 600,
  output_tokens: 150,
  cache_read_input_tokens: 11_000,
  cache_creation_input_tokens: 400,
};

for (const target of testDatabases()) {
  describe(`POST /api/v1/turns on ${target.kind}`, () => {
    let db: Db;
    let key: string;
    beforeEach(async () => {
      db = await target.create();
      await seedCatalogue(db);
      key = (await addAgent(db, { id: "loash" })).key;
    });
    afterAll(() => target.cleanup());

    it("records a batch with exact costs and keeps DailyUsage current", async () => {
      const res = await handleReportTurns(
        post(
          {
            turns: [
              { model: "claude-opus-4-6", taskType: "code-review", usage, latencyMs: 4_000 },
              {
                model: "qwen3:8b",
                taskType: "heartbeat",
                usage: { input_tokens: 10_000, output_tokens: 100 },
                generationMs: 2_000,
              },
              { model: "claude-mystery-9", usage: { input_tokens: 10, output_tokens: 1 } },
            ],
          },
          key,
        ),
        db,
      );
      expect(res.status).toBe(201);
      const body = (await res.json()) as { recorded: number; turnIds: string[] };
      expect(body.recorded).toBe(3);
      const turns = await db.prisma.turn.findMany({ where: { id: { in: body.turnIds } } });
      const byModel = new Map(turns.map((t) => [t.servedModel, t]));
      // 600*5 + 150*25 + 11000*0.5 + 400*6.25 = 3000 + 3750 + 5500 + 2500
      expect(byModel.get("claude-opus-4-6")).toMatchObject({
        lane: "claude",
        costMicroUsd: 14_750n,
        counterfactualMicroUsd: 14_750n,
        source: "reported",
        taskTypeId: "code-review",
      });
      // 350 W x 2 s at $0.15/kWh = 29 micro-dollars; counterfactual 2,000 uncached + 8,000 cached + 100 out = 10,000 + 4,000 + 2,500
      expect(byModel.get("qwen3:8b")).toMatchObject({
        lane: "local",
        costMicroUsd: 29n,
        counterfactualMicroUsd: 16_500n,
      });
      expect(byModel.get("claude-mystery-9")).toMatchObject({ costMicroUsd: null });
      const daily = await db.prisma.dailyUsage.aggregate({
        _sum: { turns: true, unpricedTurns: true, costMicroUsd: true },
      });
      expect(daily._sum).toEqual({ turns: 3, unpricedTurns: 1, costMicroUsd: 14_779n });
    });

    it("refuses a batch with one bad item, naming its index and field, and stores nothing", async () => {
      const cases: [unknown, string][] = [
        [
          {
            turns: [
              { model: "claude-opus-4-6", usage },
              { model: "claude-opus-4-6", usage: { input_tokens: -1, output_tokens: 0 } },
            ],
          },
          "turns.1.usage.input_tokens",
        ],
        [
          {
            turns: [
              { model: "claude-opus-4-6", usage },
              { model: "x", usage, taskType: "nope" },
            ],
          },
          "turns.1.taskType",
        ],
        [{ turns: [{ usage }] }, "turns.0.model"],
        [{ turns: [] }, "turns"],
        [{ turns: Array.from({ length: 1_001 }, () => ({ model: "m", usage })) }, "turns"],
        [{ turns: [{ model: "m", usage, startedAt: "2999-01-01T00:00:00Z" }] }, "turns.0.startedAt"],
      ];
      for (const [body, field] of cases) {
        const res = await handleReportTurns(post(body, key), db);
        const json = (await res.json()) as { error: { field?: string; message: string } };
        expect(res.status, field).toBe(400);
        expect(json.error.field, json.error.message).toBe(field);
      }
      expect(await db.prisma.turn.count()).toBe(0);
      expect(await db.prisma.dailyUsage.count()).toBe(0);
    });

    it("needs a valid key, and says so in Anthropic's shape with the x-offload-* headers", async () => {
      expect((await handleReportTurns(post({ turns: [{ model: "m", usage }] }), db)).status).toBe(401);
      const wrong = await handleReportTurns(post({ turns: [{ model: "m", usage }] }, "ofk_wrong"), db);
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      expect(wrong.headers.get("x-offload-lane")).toBe("none");
      expect(wrong.headers.get("x-offload-reason")).toBe("invalid API key (x-api-key)");
    });

    it("refuses a body over the agent endpoints' cap with a 413", async () => {
      const res = await handleReportTurns(
        new Request("http://offload.test/api/v1/turns", {
          method: "POST",
          headers: { "x-api-key": key },
          body: JSON.stringify({ turns: [{ model: "x".repeat(11 * 1024 * 1024), usage }] }),
        }),
        db,
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    });
  });
}
