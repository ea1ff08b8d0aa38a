import { afterAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { recordTurns } from "@/server/db/record-turns";
import { OffloadError } from "@/server/core/errors";
import { testDatabases } from "@/server/testing/test-databases";
import { listTierChanges, moveTaskType, readTierBoard, setAgentPin, undoTierChange } from "./manage-tiers";
import type { TurnRecord } from "@/server/core/turn-record";

const turn = (over: Partial<TurnRecord>): TurnRecord => ({
  id: crypto.randomUUID(),
  agentId: "loash",
  taskTypeId: "heartbeat",
  lane: "local",
  requestedModel: "claude-opus-4-6",
  servedModel: "qwen3:8b",
  status: "ok",
  inputTokens: 1000,
  outputTokens: 10,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  latencyMs: 500,
  generationMs: 200,
  loadMs: 5,
  escalatedFromTurnId: null,
  reason: "test",
  errorMessage: null,
  costMicroUsd: 10n,
  counterfactualMicroUsd: 5_250n,
  source: "gateway",
  startedAt: new Date(),
  ...over,
});

for (const target of testDatabases()) {
  describe(`tier changes on ${target.kind}`, () => {
    afterAll(() => target.cleanup());

    it("moves a task type, audits it, and undoes it through the same path", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      const change = await moveTaskType(db, { id: "heartbeat", lane: "claude", note: "testing the board" }, "operator");
      expect(change).toMatchObject({
        subjectType: "task_type",
        subjectId: "heartbeat",
        subjectName: "Heartbeat processing",
        fromValue: "local",
        toValue: "claude",
        actor: "operator",
        note: "testing the board",
      });
      expect((await db.prisma.taskType.findUniqueOrThrow({ where: { id: "heartbeat" } })).lane).toBe("claude");
      expect(await moveTaskType(db, { id: "heartbeat", lane: "claude" }, "operator")).toBeNull(); // no-op, no audit row
      expect(await db.prisma.tierChange.count()).toBe(1);
      // A caller that saw it in another lane (a stale page, an old proposal) is refused, nothing written.
      await expect(
        moveTaskType(db, { id: "heartbeat", lane: "local_careful", from: "local" }, "operator"),
      ).rejects.toMatchObject({ code: "CONFLICT", field: "from" });
      expect((await db.prisma.taskType.findUniqueOrThrow({ where: { id: "heartbeat" } })).lane).toBe("claude");
      expect(await db.prisma.tierChange.count()).toBe(1);

      const undone = await undoTierChange(db, change!.id, "operator");
      expect(undone).toMatchObject({ fromValue: "claude", toValue: "local" });
      expect(undone!.note).toContain("undo of");
      expect((await db.prisma.taskType.findUniqueOrThrow({ where: { id: "heartbeat" } })).lane).toBe("local");
      // Undoing the first change again would overwrite a newer state: refused, nothing written.
      await expect(undoTierChange(db, change!.id, "operator")).rejects.toMatchObject({
        code: "CONFLICT",
        field: "changeId",
      });
      expect((await listTierChanges(db)).map((c) => c.toValue)).toEqual(["local", "claude"]);
    });

    it("pins agents, and refuses unknown subjects or lanes without writing", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
      expect(await setAgentPin(db, { id: "loash", pin: "claude" }, "admin-token")).toMatchObject({
        subjectType: "agent",
        fromValue: "none",
        toValue: "claude",
        actor: "admin-token",
      });
      await expect(setAgentPin(db, { id: "ghost", pin: "local" }, "x")).rejects.toBeInstanceOf(OffloadError);
      await expect(moveTaskType(db, { id: "heartbeat", lane: "gpu" as never }, "x")).rejects.toBeInstanceOf(ZodError);
      await expect(moveTaskType(db, { id: "nope", lane: "local" }, "x")).rejects.toMatchObject({
        code: "NOT_FOUND",
        field: "id",
      });
      expect(await db.prisma.tierChange.count()).toBe(1);
    });

    it("reads the board with each card's turns a day and what each lane would cost", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
      await recordTurns(
        db,
        Array.from({ length: 70 }, () => turn({})),
      );
      const board = await readTierBoard(db);
      const hb = board.taskTypes.find((t) => t.id === "heartbeat")!;
      // 70 turns in a window of at most 7 days, at least one.
      expect(hb.usage.turnsPerDay).toBeGreaterThanOrEqual(10);
      expect(hb.usage.localTurns).toBe(70);
      expect(BigInt(hb.laneCost.claude.costPerDayMicroUsd)).toBe(hb.usage.counterfactualPerDayMicroUsd);
      expect(BigInt(hb.laneCost.local.costPerDayMicroUsd)).toBe(hb.usage.costPerDayMicroUsd);
      expect(hb.savedPerDayMicroUsd > 0n).toBe(true);
      expect(board.agents.map((a) => a.id)).toEqual(["loash"]);
    });
  });
}
