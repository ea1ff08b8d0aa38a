// Budgets and rate limits at the gateway, end to end: the official SDK and plain fetch against
// Offload's handlers, Offload against fake Anthropic and Ollama servers. An over-budget agent's
// Claude-lane turns are refused in Anthropic's 429 shape (nothing reaches Claude) or downgraded to
// its local model; requests over an agent's per-minute limit get a 429; today's spend comes from the
// database, so it survives a restart; the fleet's budget alerts at 80% and 100%.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { addAgent, updateAgentLimits } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { updateSettings } from "@/server/db/settings";
import type { Db } from "@/server/db/client";
import { openDb } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { resetEnv } from "@/server/process/env";
import { secondsToNextUtcDay } from "@/server/core/budgets/budget-rules";
import { utcDay } from "@/server/core/turn-record";
import { invalidateBudgets, resetBudgetLedger } from "./budget-ledger";
import { readBudgets } from "./read-budgets";

const HEARTBEAT =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";
const REVIEW = "Review PR 128 for correctness and risk before we merge it.";
const savedEnv = { ...process.env };

/** The URL of a test database on the TEST_DATABASE_URL server (its location ends with the database's name). */
function sameDatabaseUrl(db: Db): string {
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = `/${db.location.split("/").pop()}`;
  return u.toString();
}

for (const target of testDatabases()) {
  describe(`budgets and rate limits at the gateway on ${target.kind}`, () => {
    let db: Db;
    let offload: ServedHandlers;
    let ollama: FakeOllama;
    let claude: FakeAnthropic;
    let keys: Record<string, string>;

    /** POST /v1/messages as the agent; the raw answer. */
    const post = (agent: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": keys[agent]!,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          ...headers,
        },
        body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 256, ...body }),
      });
    const review = (agent: string, extra: Record<string, unknown> = {}) =>
      post(
        agent,
        { messages: [{ role: "user", content: REVIEW }], ...extra },
        { "x-offload-task-type": "code-review" },
      );
    const heartbeat = (agent: string) => post(agent, { messages: [{ role: "user", content: HEARTBEAT }] });
    const turns = async () => {
      await flushTurns();
      return db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    };

    beforeAll(async () => {
      ollama = await startFakeOllama();
      claude = await startFakeAnthropic();
      Object.assign(process.env, {
        OLLAMA_HOST: ollama.url,
        ANTHROPIC_API_KEY: "sk-ant-operator-test-key",
        ANTHROPIC_BASE_URL: claude.url,
      });
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      await claude?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });

    beforeEach(async () => {
      resetTurnWriter();
      resetBudgetLedger();
      invalidateGatewayState();
      ollama.failAlways(null);
      claude.failAlways(null);
      ollama.requests.length = 0;
      claude.requests.length = 0;
      ollama.setModels(["qwen3:8b"]);
      ollama.setReply(null);
      // Every Claude turn costs exactly $0.10: 10,000 input x $5/M + 2,000 output x $25/M.
      claude.setReply(() => ({ text: "Looks fine.", usage: { input_tokens: 10_000, output_tokens: 2_000 } }));
      db = await target.create();
      await seedCatalogue(db);
      configureTurnWriter(async () => db);
      keys = {
        loash: (await addAgent(db, { id: "loash", dailyBudgetUsd: 0.1 })).key,
        ops: (await addAgent(db, { id: "ops", pin: "claude", dailyBudgetUsd: 0, overBudget: "downgrade" })).key,
        gcu: (await addAgent(db, { id: "gcu" })).key,
      };
      offload = await serveHandlers(db);
    });
    afterEach(async () => {
      await offload?.close();
    });

    it("refuses an over-budget agent's Claude turns with Anthropic's 429 and retry-after to UTC midnight; nothing reaches Claude", async () => {
      // Under budget ($0 of $0.10): served. The turn is priced after its answer, so it may overshoot.
      const first = await review("loash");
      expect(first.status).toBe(200);
      expect(first.headers.get("x-offload-lane")).toBe("claude");
      expect(claude.requests).toHaveLength(1);

      // Spent $0.10 of $0.10: refused at once, before the turn writer has stored anything.
      const refused = await review("loash");
      const secondsLeft = secondsToNextUtcDay(new Date());
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({
        type: "error",
        error: {
          type: "rate_limit_error",
          message: expect.stringMatching(
            /^agent loash is over its daily Claude budget of \$0\.10 \(spent \$0\.10 today, UTC\); its Claude-lane turns are refused until the budget starts again at 00:00 UTC \(in \d+ h \d+ min\) or the operator raises it$/,
          ),
        },
      });
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(Math.abs(retryAfter - secondsLeft)).toBeLessThanOrEqual(2);
      expect(refused.headers.get("x-offload-lane")).toBe("claude");
      expect(refused.headers.get("x-offload-reason")).toMatch(/^refused: agent loash is over its daily Claude budget/);
      expect(claude.requests).toHaveLength(1);

      // Streaming turns too, and the agent's SDK reads it as a rate limit.
      const streamed = await review("loash", { stream: true });
      expect(streamed.status).toBe(429);
      expect(streamed.headers.get("content-type")).toContain("application/json");
      const sdkError = await new Anthropic({ apiKey: keys.loash!, baseURL: offload.url, maxRetries: 0 }).messages
        .create(
          { model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: REVIEW }] },
          { headers: { "x-offload-task-type": "code-review" } },
        )
        .catch((e: unknown) => e);
      expect(sdkError).toBeInstanceOf(Anthropic.RateLimitError);
      expect(claude.requests).toHaveLength(1);

      // Its local work goes on; another agent is not affected.
      const local = await heartbeat("loash");
      expect(local.status).toBe(200);
      expect(local.headers.get("x-offload-lane")).toBe("local");
      expect((await review("gcu")).status).toBe(200);
      expect(claude.requests).toHaveLength(2);

      const rows = await turns();
      const refusedRow = rows.find((t) => t.id === refused.headers.get("x-offload-turn-id"))!;
      expect(refusedRow).toMatchObject({ agentId: "loash", lane: "claude", status: "error", costMicroUsd: 0n });
      expect(refusedRow.errorMessage).toMatch(/^agent loash is over its daily Claude budget of \$0\.10/);
      expect(refusedRow.reason).toContain("refused: agent loash is over its daily Claude budget");
      expect(rows.filter((t) => t.agentId === "loash" && t.lane === "claude").map((t) => t.status)).toEqual([
        "ok",
        "error",
        "error",
        "error",
      ]);
    });

    it("downgrades an over-budget agent's Claude turns to its local model, with a header and the reason", async () => {
      // ops is pinned to Claude, with a budget of $0 and overBudget=downgrade.
      const res = await review("ops");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-offload-downgraded")).toBe("budget");
      expect(res.headers.get("x-offload-lane")).toBe("local");
      expect(res.headers.get("x-offload-model")).toBe("qwen3:8b");
      expect(res.headers.get("x-offload-reason")).toContain("over its daily Claude budget of $0.00");
      const body = (await res.json()) as { model: string; content: { type: string }[] };
      expect(body.model).toBe("qwen3:8b");
      expect(claude.requests).toHaveLength(0);
      expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(1);

      // Streamed the same way.
      const streamed = await review("ops", { stream: true });
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get("x-offload-downgraded")).toBe("budget");
      expect(await streamed.text()).toContain("message_stop");

      // A failing local model does not send the downgraded turn to Claude after all.
      ollama.failAlways({ kind: "refuse" });
      const failed = await review("ops");
      expect(failed.status).toBe(503);
      expect(failed.headers.get("x-offload-downgraded")).toBe("budget");
      expect(claude.requests).toHaveLength(0);
      ollama.failAlways(null);

      // A turn no local model can take (longer than its context) is refused, pin or not.
      const huge = await post(
        "ops",
        { messages: [{ role: "user", content: `${REVIEW}\n${"diff --git a/x b/x\n+line\n".repeat(12_000)}` }] },
        { "x-offload-task-type": "code-review" },
      );
      expect(huge.status).toBe(429);
      const hugeBody = (await huge.json()) as { error: { type: string; message: string } };
      expect(hugeBody.error.type).toBe("rate_limit_error");
      expect(hugeBody.error.message).toMatch(
        /^agent ops is over its daily Claude budget of \$0\.00 \(spent \$0\.00 today, UTC\); it cannot be downgraded to the local model: /,
      );
      expect(claude.requests).toHaveLength(0);

      const rows = (await turns()).filter((t) => t.agentId === "ops");
      const served = rows.find((t) => t.id === res.headers.get("x-offload-turn-id"))!;
      expect(served).toMatchObject({
        lane: "local",
        servedModel: "qwen3:8b",
        requestedModel: "claude-opus-4-6",
        status: "ok",
        taskTypeId: "code-review",
      });
      expect(served.reason).toContain("over its daily Claude budget of $0.00 (spent $0.00 today, UTC): downgraded");
    });

    it("serves an over-budget agent's local work without a way to Claude", async () => {
      await updateAgentLimits(db, { id: "loash", dailyBudgetUsd: 0 });
      // A Local-with-care answer that would fail its check is not escalated: answered unchecked on the local lane.
      ollama.setReply(() => ({ content: "I'm sorry, I can't help with that." }));
      const careful = await post(
        "loash",
        {
          messages: [{ role: "user", content: "Parse BACKLOG.md into JSON: item and owner. Respond with JSON only." }],
        },
        { "x-offload-task-type": "backlog-parsing" },
      );
      expect(careful.status).toBe(200);
      expect(careful.headers.get("x-offload-lane")).toBe("local");
      expect(careful.headers.get("x-offload-reason")).toContain("over its daily Claude budget");
      // Ollama down: a clean error, not Claude.
      ollama.failAlways({ kind: "refuse" });
      expect((await heartbeat("loash")).status).toBe(503);
      expect(claude.requests).toHaveLength(0);
    });

    it("limits an agent's requests per minute with a 429 and retry-after, and follows a changed limit at once", async () => {
      await updateAgentLimits(db, { id: "loash", requestsPerMinute: 3 });
      for (let i = 0; i < 3; i++) expect((await heartbeat("loash")).status).toBe(200);
      const limited = await heartbeat("loash");
      expect(limited.status).toBe(429);
      expect(await limited.json()).toEqual({
        type: "error",
        error: {
          type: "rate_limit_error",
          message: expect.stringMatching(/^agent loash is over its limit of 3 requests per minute; retry in \d+ s$/),
        },
      });
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.headers.get("x-offload-lane")).toBe("none");
      expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(3);
      expect(await turns()).toHaveLength(3); // a limited request is not a turn
      // Others are not limited.
      for (let i = 0; i < 5; i++) expect((await heartbeat("gcu")).status).toBe(200);
      // Raised by the operator: the next request goes through; removed: no limit.
      await updateAgentLimits(db, { id: "loash", requestsPerMinute: 4 });
      expect((await heartbeat("loash")).status).toBe(200);
      expect((await heartbeat("loash")).status).toBe(429);
      await updateAgentLimits(db, { id: "loash", requestsPerMinute: null });
      expect((await heartbeat("loash")).status).toBe(200);
    });

    it("keeps today's spend across a restart: it is read from the database, each turn counted once", async () => {
      expect((await review("loash")).status).toBe(200); // $0.10 of $0.10
      const before = await readBudgets(db);
      expect(before.agents.find((a) => a.id === "loash")).toMatchObject({
        budgetMicroUsd: 100_000n,
        spentMicroUsd: 100_000n, // not yet written: counted from memory
        alert: { level: "over" },
      });
      await flushTurns();
      invalidateBudgets();
      expect((await readBudgets(db)).agents.find((a) => a.id === "loash")!.spentMicroUsd).toBe(100_000n); // once

      // A restart: nothing in memory, a fresh gateway state (and, on Postgres, a new connection).
      await offload.close();
      resetBudgetLedger();
      invalidateGatewayState();
      resetTurnWriter();
      const reopened = db.kind === "postgres" ? await openDb({ databaseUrl: sameDatabaseUrl(db), poolMax: 2 }) : db;
      try {
        configureTurnWriter(async () => reopened);
        offload = await serveHandlers(reopened);
        const refused = await review("loash");
        expect(refused.status).toBe(429);
        expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
          "(spent $0.10 today, UTC)",
        );
        expect(claude.requests).toHaveLength(1);
      } finally {
        if (reopened !== db) {
          await offload.close();
          await flushTurns();
          configureTurnWriter(async () => db);
          await reopened.close();
          offload = await serveHandlers(db);
        }
      }
    });

    it("counts only today's metered Claude cost: not yesterday's, not what agents report themselves", async () => {
      const today = utcDay(new Date());
      const yesterday = utcDay(new Date(Date.now() - 86_400_000));
      const usage = (day: string, cost: bigint, reported: bigint, lane: "claude" | "local") =>
        db.prisma.dailyUsage.create({
          data: {
            day: new Date(`${day}T00:00:00Z`),
            agentId: "loash",
            taskTypeId: "code-review",
            lane,
            turns: 1,
            costMicroUsd: cost,
            reportedTurns: reported > 0n ? 1 : 0,
            reportedCostMicroUsd: reported,
          },
        });
      await usage(yesterday, 5_000_000n, 0n, "claude");
      await usage(today, 80_000n, 30_000n, "claude"); // $0.05 metered, $0.03 reported
      await db.prisma.dailyUsage.create({
        data: {
          day: new Date(`${today}T00:00:00Z`),
          agentId: "loash",
          taskTypeId: "",
          lane: "local",
          turns: 9,
          costMicroUsd: 900_000n,
        },
      });
      const read = await readBudgets(db);
      expect(read.day).toBe(today);
      expect(read.agents.find((a) => a.id === "loash")).toMatchObject({
        spentMicroUsd: 50_000n,
        alert: { level: "none" },
      });
      expect((await review("loash")).status).toBe(200); // $0.05 < $0.10
    });

    it("gives the dashboard the fleet's spend against its daily budget, alerting at 80% and at 100%", async () => {
      expect((await readBudgets(db)).fleet).toEqual({
        budgetMicroUsd: null,
        spentMicroUsd: 0n,
        alert: { level: "none", share: 0 },
      });
      await updateSettings(db, { fleetDailyBudgetUsd: 0.25 });
      invalidateBudgets();
      expect((await review("gcu")).status).toBe(200); // $0.10: 40%
      expect((await readBudgets(db)).fleet.alert).toEqual({ level: "none", share: 0.4 });
      expect((await review("gcu")).status).toBe(200); // $0.20: 80%
      const warning = await readBudgets(db);
      expect(warning.fleet).toEqual({
        budgetMicroUsd: 250_000n,
        spentMicroUsd: 200_000n,
        alert: { level: "warning", share: 0.8 },
      });
      expect((await review("loash")).status).toBe(200); // $0.30: 120%
      await flushTurns();
      invalidateBudgets();
      const over = await readBudgets(db);
      expect(over.fleet).toEqual({
        budgetMicroUsd: 250_000n,
        spentMicroUsd: 300_000n,
        alert: { level: "over", share: 1.2 },
      });
      expect(over.agents.map((a) => [a.id, a.spentMicroUsd, a.alert.level])).toEqual([
        ["gcu", 200_000n, "none"],
        ["loash", 100_000n, "over"],
        ["ops", 0n, "over"],
      ]);
      // The fleet's budget alerts; it does not refuse turns (agents' budgets do).
      expect((await review("gcu")).status).toBe(200);
    });
  });
}
