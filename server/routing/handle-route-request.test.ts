import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleRouteRequest } from "./handle-route-request";
import { addAgent, removeAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { updateSettings } from "@/server/db/settings";
import { testDatabases } from "@/server/testing/test-databases";
import type { Db } from "@/server/db/client";
import { resetEnv } from "@/server/process/env";

const ADMIN = "admin-secret-for-tests";

function post(body: unknown, auth?: string, headers: Record<string, string> = {}): Request {
  return new Request("http://offload.test/api/v1/route", {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function call(db: Db, req: Request) {
  const res = await handleRouteRequest(req, db);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

for (const target of testDatabases()) {
  describe(`POST /api/v1/route on ${target.kind}`, () => {
    let db: Db;
    let loashKey: string;
    let workerKey: string;
    const savedToken = process.env.OFFLOAD_ADMIN_TOKEN;

    beforeEach(async () => {
      process.env.OFFLOAD_ADMIN_TOKEN = ADMIN;
      resetEnv();
      db = await target.create();
      await seedCatalogue(db);
      loashKey = (await addAgent(db, { id: "loash" })).key;
      workerKey = (await addAgent(db, { id: "worker-1", pin: "local" })).key;
    });
    afterEach(() => {
      if (savedToken === undefined) delete process.env.OFFLOAD_ADMIN_TOKEN;
      else process.env.OFFLOAD_ADMIN_TOKEN = savedToken;
      resetEnv();
    });
    afterAll(() => target.cleanup());

    it("answers exactly the documented fields for an explicit task type", async () => {
      const { status, body } = await call(db, post({ agent: "loash", taskType: "heartbeat" }, ADMIN));
      expect(status).toBe(200);
      expect(body).toEqual({
        tier: 1,
        lane: "local",
        model: "qwen3:8b",
        taskType: "heartbeat",
        confidence: 1,
        reason: "task type heartbeat is in lane local",
      });
    });

    it("classifies free text and keeps reasoning on Claude", async () => {
      const git = await call(db, post({ agent: "loash", title: "is the tree clean?" }, loashKey));
      expect(git.body).toMatchObject({ lane: "local", taskType: "git-operations" });
      const review = await call(db, post({ title: "review PR 128 and tell me if it is safe to merge" }, loashKey));
      expect(review.body).toMatchObject({ tier: 3, lane: "claude", model: "claude-opus-4-6" });
    });

    it("applies the agent's pin, and stands for the key's agent when agent is left out", async () => {
      const { body } = await call(db, post({ title: "design the new queue architecture" }, workerKey));
      expect(body).toMatchObject({ lane: "local", reason: "agent worker-1 is pinned to local" });
    });

    it("follows a lane change at once", async () => {
      await db.prisma.taskType.update({ where: { id: "heartbeat" }, data: { lane: "claude" } });
      expect((await call(db, post({ agent: "loash", taskType: "heartbeat" }, ADMIN))).body).toMatchObject({
        lane: "claude",
        tier: 3,
      });
    });

    it("routes local work to Claude while Ollama is down, or refuses when escalation is off", async () => {
      await db.prisma.healthSample.create({ data: { status: "down", reasons: ["connection refused"] } });
      const { body } = await call(db, post({ taskType: "heartbeat" }, ADMIN));
      expect(body.lane).toBe("claude");
      expect(body.reason).toContain("ollama down");
      await updateSettings(db, { escalateWhenLocalDown: false });
      const refused = await call(db, post({ taskType: "heartbeat" }, ADMIN));
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toContain("escalation to Claude is turned off");
    });

    it("accepts the key as x-api-key and records that the agent was seen", async () => {
      const res = await call(db, post({ taskType: "status-report" }, undefined, { "x-api-key": loashKey }));
      expect(res.status).toBe(200);
      expect((await db.prisma.agent.findUniqueOrThrow({ where: { id: "loash" } })).lastSeenAt).not.toBeNull();
    });

    it("refuses missing, wrong and removed keys with 401", async () => {
      expect((await call(db, post({ taskType: "heartbeat" }))).status).toBe(401);
      const wrong = await call(db, post({ taskType: "heartbeat" }, "ofk_not-a-real-key"));
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      await removeAgent(db, "loash");
      expect((await call(db, post({ taskType: "heartbeat" }, loashKey))).status).toBe(401);
    });

    it("refuses an agent key asking for another agent, naming the field", async () => {
      const { status, body } = await call(db, post({ agent: "worker-1", taskType: "heartbeat" }, loashKey));
      expect(status).toBe(403);
      expect(body.error.field).toBe("agent");
    });

    it("answers 400 naming the field for bad input", async () => {
      const cases: [unknown, string | undefined][] = [
        [{ agent: "Not A Slug!" }, "agent"],
        [{ taskType: "no-such-type" }, "taskType"],
        [{ title: 42 }, "title"],
        [{ taskType: "" }, "taskType"],
        ["not json", undefined],
        [[1, 2], undefined],
      ];
      for (const [body, field] of cases) {
        const res = await call(db, post(body, ADMIN));
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.type).toBe("error");
        expect(res.body.error.type).toBe("invalid_request_error");
        if (field) expect(res.body.error.field, JSON.stringify(body)).toBe(field);
      }
      const unknownAgent = await call(db, post({ agent: "nobody", taskType: "heartbeat" }, ADMIN));
      expect(unknownAgent.status).toBe(404);
      expect(unknownAgent.body.error.field).toBe("agent");
    });

    it("caps the body at 2 MB (it shared the 10 MB cap of Messages) and its shape before deciding, naming the problem", async () => {
      // The longest description the schema takes (200,000 characters) fits, even escaped or in 3-byte characters.
      for (const description of ["\u4e00".repeat(200_000), "\u0001".repeat(200_000)]) {
        const res = await call(db, post({ agent: "loash", description }, ADMIN));
        expect(res.status).toBe(200);
      }
      const tooBig = await call(db, post({ agent: "loash", description: "x".repeat(2 * 1024 * 1024) }, ADMIN));
      expect(tooBig.status).toBe(413);
      expect(tooBig.body).toEqual({
        type: "error",
        error: { type: "request_too_large", message: "the request body is larger than 2 MB, this endpoint's limit" },
      });
      const deep = await call(db, post(`{"agent":"loash","title":${"[".repeat(10_000)}${"]".repeat(10_000)}}`, ADMIN));
      expect(deep.status).toBe(400);
      expect(deep.body.error.message).toMatch(/^title\.0\.0.*: nested deeper than 64 levels$/);
      const twice = await call(db, post('{"agent":"loash","agent":"worker-1"}', ADMIN));
      expect(twice.status).toBe(400);
      expect(twice.body.error.message).toBe('the request body: duplicate key "agent"');
    });
  });
}
