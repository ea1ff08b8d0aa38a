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

    it("refuses a body over this endpoint's 2 MB cap with a 413", async () => {
      const res = await handleReportTurns(
        new Request("http://offload.test/api/v1/turns", {
          method: "POST",
          headers: { "x-api-key": key },
          body: JSON.stringify({ turns: [{ model: "x".repeat(3 * 1024 * 1024), usage }] }),
        }),
        db,
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({
        type: "error",
        error: { type: "request_too_large", message: "the request body is larger than 2 MB, this endpoint's limit" },
      });
    });

    const refusal = async (body: unknown) => {
      const res = await handleReportTurns(post(body, key), db);
      const json = (await res.json()) as { error: { type: string; field?: string; message: string } };
      return { status: res.status, ...json.error };
    };

    it("range-checks every integer with a 400 naming the field (input_tokens of 2^31 was a 500)", async () => {
      const fields: [string, (n: unknown) => Record<string, unknown>][] = [
        ["usage.input_tokens", (n) => ({ usage: { ...usage, input_tokens: n } })],
        ["usage.output_tokens", (n) => ({ usage: { ...usage, output_tokens: n } })],
        ["usage.cache_read_input_tokens", (n) => ({ usage: { ...usage, cache_read_input_tokens: n } })],
        ["usage.cache_creation_input_tokens", (n) => ({ usage: { ...usage, cache_creation_input_tokens: n } })],
        [
          "usage.cache_creation.ephemeral_1h_input_tokens",
          (n) => ({ usage: { ...usage, cache_creation: { ephemeral_1h_input_tokens: n } } }),
        ],
        ["latencyMs", (n) => ({ usage, latencyMs: n })],
        ["generationMs", (n) => ({ usage, generationMs: n })],
        ["loadMs", (n) => ({ usage, loadMs: n })],
      ];
      for (const [field, item] of fields)
        for (const value of [2 ** 31, 2 ** 53 + 2, 1e300, -1, 1.5, "12", null, true]) {
          if (value === null && field.startsWith("usage.cache_")) continue; // null means "none" there
          const turns = [
            { model: "claude-opus-4-6", usage },
            { model: "claude-opus-4-6", ...item(value) },
          ];
          const r = await refusal({ turns });
          expect(r.status, `${field} = ${String(value)}: ${r.message}`).toBe(400);
          expect(r.field, `${field} = ${String(value)}`).toBe(`turns.1.${field}`);
          expect(r.type).toBe("invalid_request_error");
        }
      // JSON's own overflow: 1e999 reads as Infinity.
      const inf = await handleReportTurns(
        new Request("http://offload.test/api/v1/turns", {
          method: "POST",
          headers: { "x-api-key": key },
          body: '{"turns":[{"model":"m","usage":{"input_tokens":1e999,"output_tokens":0}}]}',
        }),
        db,
      );
      expect(inf.status).toBe(400);
      expect(await db.prisma.turn.count()).toBe(0);
    });

    it("accepts only plausible usage: 1,000 turns of 2,147,483,647 tokens were accepted and added $78.9M", async () => {
      const huge = { input_tokens: 2_147_483_647, output_tokens: 2_147_483_647 };
      const r = await refusal({
        turns: Array.from({ length: 1_000 }, () => ({ model: "claude-opus-4-6", usage: huge })),
      });
      expect(r).toMatchObject({
        status: 400,
        field: "turns.0.usage.input_tokens",
        message: "turns.0.usage.input_tokens: at most 2,000,000 input tokens in one turn",
      });
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ input_tokens: 2_000_001, output_tokens: 0 }, "turns.1.usage.input_tokens", /at most 2,000,000/],
        [{ input_tokens: 0, output_tokens: 200_001 }, "turns.1.usage.output_tokens", /at most 200,000 output tokens/],
        [
          {
            input_tokens: 1_000_000,
            output_tokens: 0,
            cache_read_input_tokens: 900_000,
            cache_creation_input_tokens: 100_001,
          },
          "turns.1.usage",
          /add up to 2,000,001, more than the 2,000,000 one turn can read/,
        ],
      ];
      for (const [u, field, message] of cases) {
        const res = await refusal({
          turns: [
            { model: "claude-opus-4-6", usage },
            { model: "claude-opus-4-6", usage: u },
          ],
        });
        expect(res.status).toBe(400);
        expect(res.field).toBe(field);
        expect(res.message).toMatch(message);
      }
      expect(await db.prisma.turn.count()).toBe(0);
      expect(await db.prisma.dailyUsage.count()).toBe(0);

      // The largest plausible turn is taken, and priced exactly.
      const ok = await handleReportTurns(
        post(
          {
            turns: [
              {
                model: "claude-opus-4-6",
                usage: { input_tokens: 1_000_000, output_tokens: 200_000, cache_read_input_tokens: 1_000_000 },
              },
            ],
          },
          key,
        ),
        db,
      );
      expect(ok.status).toBe(201);
      // 1M x $5 + 200k x $25 + 1M x $0.50 = $10.50
      expect((await db.prisma.turn.findFirstOrThrow()).costMicroUsd).toBe(10_500_000n);
    });

    it("takes turns from the last day only, allowing 5 minutes of clock skew (400 days back was accepted)", async () => {
      const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
      const H = 3_600_000;
      for (const [startedAt, message] of [
        [ago(400 * 24 * H), /^turns\.1\.startedAt: more than a day ago/],
        [ago(24 * H + 60_000), /^turns\.1\.startedAt: more than a day ago/],
        [ago(-10 * 60_000), /^turns\.1\.startedAt: in the future/],
        ["2026-02-30T00:00:00Z", /^turns\.1\.startedAt: /],
        ["yesterday", /^turns\.1\.startedAt: expected an ISO 8601 time/],
      ] as const) {
        const r = await refusal({
          turns: [
            { model: "m", usage },
            { model: "m", usage, startedAt },
          ],
        });
        expect(r.status, startedAt).toBe(400);
        expect(r.field).toBe("turns.1.startedAt");
        expect(r.message).toMatch(message);
      }
      expect(await db.prisma.turn.count()).toBe(0);
      const res = await handleReportTurns(
        post(
          {
            turns: [
              { model: "m", usage, startedAt: ago(23 * H) },
              { model: "m", usage, startedAt: ago(-4 * 60_000) },
            ],
          },
          key,
        ),
        db,
      );
      expect(res.status).toBe(201);
      expect(await db.prisma.turn.count()).toBe(2);
    });

    it("refuses control characters (NUL, which Postgres cannot store) in the text it stores", async () => {
      for (const [item, field] of [
        [{ model: "claude\u0000x", usage }, "turns.0.model"],
        [{ model: "m\n", usage: usage, taskType: "heart\u0007beat" }, "turns.0.taskType"],
      ] as const) {
        const r = await refusal({ turns: [item] });
        expect(r.status).toBe(400);
        expect(r.field).toBe(field);
        expect(r.message).toBe(`${field}: must not contain control characters`);
      }
      expect(await db.prisma.turn.count()).toBe(0);
    });

    it("marks reported turns as reported, counted apart in DailyUsage", async () => {
      const res = await handleReportTurns(
        post({ turns: [{ model: "claude-opus-4-6", usage: { input_tokens: 1_000, output_tokens: 100 } }] }, key),
        db,
      );
      expect(res.status).toBe(201);
      expect(await db.prisma.turn.findFirstOrThrow()).toMatchObject({ source: "reported", costMicroUsd: 7_500n });
      const daily = await db.prisma.dailyUsage.findFirstOrThrow();
      expect(daily).toMatchObject({ turns: 1, costMicroUsd: 7_500n, reportedTurns: 1, reportedCostMicroUsd: 7_500n });
    });
  });
}
