// The task queue on both databases, through its REST handlers: routing at queue time (sidecar
// actions are Tier 0 whatever the text), bad input named by field with nothing stored, concurrent
// claimers that never share a task, expired claims that go back to the queue, completion that
// happens once, and the zero-token turn the sidecar's work becomes.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { addAgent } from "@/server/agents/manage-agents";
import { recordTurns } from "@/server/db/record-turns";
import { testTurn } from "@/server/testing/turn-fixture";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import { handleClaimNextTask, handleCompleteTask, handleQueueTask, handleReadTask } from "./handle-task-requests";
import { cancelTask, claimNextTask, queueTask, requeueTask } from "./task-queue";
import { readTaskOverview } from "./read-tasks";

const BASE = "http://offload.test";

for (const target of testDatabases()) {
  describe(`the task queue on ${target.kind}`, () => {
    let db: Db;
    let keys: Record<string, string>;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      resetTurnWriter();
      db = await target.create();
      await seedCatalogue(db);
      configureTurnWriter(async () => db);
      keys = {};
      for (const id of ["alpha", "beta", "gamma"]) keys[id] = (await addAgent(db, { id })).key;
    });
    afterEach(() => resetTurnWriter());

    const post = (path: string, key: string, body: unknown) =>
      new Request(`${BASE}${path}`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const get = (path: string, key: string) => new Request(`${BASE}${path}`, { headers: { "x-api-key": key } });
    const queue = async (key: string, body: unknown) => {
      const res = await handleQueueTask(post("/api/v1/tasks", key, body), db);
      return { status: res.status, body: (await res.json()) as any, headers: res.headers };
    };
    const claim = async (agent: string, lease?: number) => {
      const res = await handleClaimNextTask(
        get(`/api/v1/tasks/next?agent=${agent}${lease ? `&lease=${lease}` : ""}`, keys[agent]!),
        db,
      );
      return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
    };
    const complete = async (agent: string, id: string, body: unknown) => {
      const res = await handleCompleteTask(post(`/api/v1/tasks/${id}/complete`, keys[agent]!, body), id, db);
      return { status: res.status, body: (await res.json()) as any };
    };

    it("routes a task when it is queued; a sidecar action is Tier 0 with no model, whatever its title says", async () => {
      const review = await queue(keys.alpha!, { title: "Review the architecture of the billing service" });
      expect(review.status).toBe(201);
      expect(review.body).toMatchObject({ status: "queued", tier: 3, lane: "claude", agent: "alpha" });
      expect(review.headers.get("x-offload-lane")).toBe("claude");

      const write = await queue(keys.alpha!, {
        title: "Design a new architecture", // what the text says does not matter: the payload is a script
        payload: { action: "file.write", path: "notes/x.txt", content: "42" },
      });
      expect(write.body).toMatchObject({ tier: 0, lane: "sidecar", model: null, taskType: "file-write-literal" });
      expect(write.body.reason).toMatch(/sidecar action file\.write/);

      const read = await handleReadTask(get(`/api/v1/tasks/${write.body.id}`, keys.alpha!), write.body.id, db);
      expect(await read.json()).toMatchObject({
        id: write.body.id,
        status: "queued",
        lane: "sidecar",
        model: null,
        taskType: "file-write-literal",
        result: null,
        error: null,
      });
    });

    it("refuses bad input naming the field, and stores nothing", async () => {
      const cases: [unknown, RegExp, number][] = [
        [{}, /title/, 400],
        [{ title: "x", payload: { action: "file.write", path: "a.txt" } }, /payload\.content/, 400],
        [{ title: "x", payload: { action: "git.checkout_new_branch", name: "-bad" } }, /payload\.name/, 400],
        [{ title: "x", priority: 1.5 }, /priority/, 400],
        [{ title: "x", agent: "beta" }, /agent/, 403],
        [{ title: "x", taskType: "no-such-type" }, /taskType/, 400],
      ];
      for (const [body, field, status] of cases) {
        const res = await queue(keys.alpha!, body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(JSON.stringify(res.body)).toMatch(field);
      }
      await expect(
        queueTask(db, { title: "x", payload: { action: "git.status" } }, { kind: "admin", name: "operator" }),
      ).rejects.toThrow(/a sidecar action runs in one agent's work dir/);
      const noKey = await handleQueueTask(new Request(`${BASE}/api/v1/tasks`, { method: "POST", body: "{}" }), db);
      expect(noKey.status).toBe(401);
      expect(await db.prisma.task.count()).toBe(0);
    });

    it("never hands one task to two claimers at once", async () => {
      for (let i = 0; i < 30; i++)
        await queue(keys.alpha!, { title: `poll mailbox ${i}`, agent: null, priority: i % 3 });
      // Unassigned tasks (queued by an agent for itself are its own; these go to anyone): queue them as the admin would.
      await db.prisma.task.updateMany({ data: { agentId: null } });
      const got: string[] = [];
      const worker = async (agent: string) => {
        for (;;) {
          const c = await claim(agent);
          if (c.status === 204) return;
          got.push(c.body.id);
        }
      };
      await Promise.all(["alpha", "beta", "gamma", "alpha", "beta", "gamma"].map(worker));
      expect(got).toHaveLength(30);
      expect(new Set(got).size).toBe(30);
      const rows = await db.prisma.task.findMany();
      expect(rows.every((t) => t.status === "claimed" && t.attempts === 1)).toBe(true);
    });

    it("gives an agent its own tasks and the unassigned ones, by priority then age", async () => {
      const low = await queue(keys.alpha!, { title: "git fetch", priority: 0 });
      const high = await queue(keys.alpha!, { title: "git status", priority: 5 });
      await queue(keys.beta!, { title: "beta's own" });
      expect((await claim("alpha")).body.id).toBe(high.body.id);
      expect((await claim("alpha")).body).toMatchObject({ id: low.body.id, agentModel: "claude-opus-4-6", attempt: 1 });
      expect((await claim("alpha")).status).toBe(204);
      const other = await handleClaimNextTask(get("/api/v1/tasks/next?agent=beta", keys.alpha!), db);
      expect(other.status).toBe(403);
    });

    it("puts an expired claim back in the queue; the late claimer's completion is refused", async () => {
      const task = await queue(keys.alpha!, { title: "status report", agent: null });
      await db.prisma.task.update({ where: { id: task.body.id }, data: { agentId: null } });
      const t0 = new Date();
      const first = await claimNextTask(db, { agentId: "alpha", leaseSeconds: 5 }, t0);
      expect(first?.id).toBe(task.body.id);
      expect(await claimNextTask(db, { agentId: "beta" }, new Date(t0.getTime() + 4_000))).toBeNull();
      const overview = await readTaskOverview(db, {}, new Date(t0.getTime() + 6_000));
      expect(overview.counts).toEqual([{ lane: expect.any(String), status: "queued", tasks: 1 }]);
      const second = await claimNextTask(db, { agentId: "beta" }, new Date(t0.getTime() + 6_000));
      expect(second).toMatchObject({ id: task.body.id, attempt: 2 });
      const late = await complete("alpha", task.body.id, { status: "done", result: "x" });
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(/claimed by beta/);
      expect((await complete("beta", task.body.id, { status: "done", result: "ok" })).status).toBe(200);
    });

    it("completes once: the same completion again is answered, another refused; sidecar work is a zero-token turn", async () => {
      // History for the counterfactual: file writes on Claude cost 3,000 micro-dollars a turn.
      await recordTurns(db, [
        testTurn({ agentId: "alpha", taskTypeId: "file-write-literal", counterfactualMicroUsd: 2_000n }),
        testTurn({ agentId: "alpha", taskTypeId: "file-write-literal", counterfactualMicroUsd: 4_000n }),
      ]);
      const task = await queue(keys.alpha!, {
        title: "write",
        payload: { action: "file.write", path: "a.txt", content: "1" },
      });
      await claim("alpha");
      const done = {
        status: "done",
        result: { action: "file.write", path: "a.txt", bytes: 1 },
        executedBy: "sidecar",
        turns: 0,
      };
      const first = await complete("alpha", task.body.id, done);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: "done", executedBy: "sidecar", turnsUsed: 0, result: done.result });
      expect((await complete("alpha", task.body.id, done)).body.turnId).toBe(first.body.turnId);
      const other = await complete("alpha", task.body.id, { status: "failed", error: "no" });
      expect(other.status).toBe(409);

      await flushTurns();
      const turns = await db.prisma.turn.findMany({ where: { lane: "sidecar" } });
      expect(turns).toHaveLength(1);
      expect(turns[0]).toMatchObject({
        id: first.body.turnId,
        agentId: "alpha",
        taskTypeId: "file-write-literal",
        inputTokens: 0,
        outputTokens: 0,
        costMicroUsd: 0n,
        counterfactualMicroUsd: 3_000n,
        source: "sidecar",
      });
      const overview = await readTaskOverview(db);
      expect(overview.sidecar).toEqual({ tasks: 1, avoidedUsd: 0.003 });

      // A failure needs its error; an escalated task records no sidecar turn (the gateway metered it).
      const next = await queue(keys.alpha!, { title: "summarise the logs" });
      await claim("alpha");
      expect((await complete("alpha", next.body.id, { status: "failed" })).body.error.message).toMatch(/error/);
      const escalated = await complete("alpha", next.body.id, {
        status: "done",
        result: { text: "summary" },
        executedBy: "sidecar",
        escalated: true,
        turns: 1,
      });
      expect(escalated.body).toMatchObject({ escalated: true, turnId: null, turnsUsed: 1 });
    });

    it("re-queues a failed task and cancels a queued one", async () => {
      const task = await queue(keys.alpha!, { title: "git fetch" });
      await claim("alpha");
      await complete("alpha", task.body.id, { status: "failed", error: "network down" });
      expect((await requeueTask(db, task.body.id)).status).toBe("queued");
      expect((await claim("alpha")).body.attempt).toBe(2);
      await expect(requeueTask(db, "nope")).rejects.toThrow(/no task/);
      const other = await queue(keys.alpha!, { title: "status report" });
      expect((await cancelTask(db, other.body.id)).status).toBe("cancelled");
      await expect(cancelTask(db, other.body.id)).rejects.toThrow(/only a queued or claimed task/);
    });
  });
}
