// The turn writer's SQL: turns, DailyUsage and FingerprintDailyUsage in one transaction, and the
// gateway's agents marked as seen by their latest turn's end (never moved back by an older turn
// written later).
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { addAgent } from "@/server/agents/manage-agents";
import type { TurnRecord } from "@/server/core/turn-record";
import { fingerprintOf } from "@/server/core/turns/fingerprint";
import { recordTurns } from "./record-turns";

let n = 0;
function turn(agentId: string, startedAt: Date, source: TurnRecord["source"] = "gateway"): TurnRecord {
  return {
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    agentId,
    taskTypeId: null,
    lane: "claude",
    requestedModel: "claude-opus-4-6",
    servedModel: "claude-opus-4-6",
    inputTokens: 10,
    outputTokens: 2,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    latencyMs: 1_500,
    generationMs: null,
    loadMs: null,
    status: "ok",
    escalatedFromTurnId: null,
    reason: "test",
    errorMessage: null,
    costMicroUsd: 100n,
    counterfactualMicroUsd: 100n,
    source,
    startedAt,
  };
}

for (const target of testDatabases()) {
  describe(`recordTurns on ${target.kind}`, () => {
    let db: Db;
    beforeEach(async () => {
      db = await target.create();
      await addAgent(db, { id: "loash" });
      await addAgent(db, { id: "ops" });
      await addAgent(db, { id: "quiet" });
    });
    afterAll(() => target.cleanup());

    const seen = async () =>
      new Map(
        (await db.prisma.agent.findMany({ select: { id: true, lastSeenAt: true } })).map((a) => [a.id, a.lastSeenAt]),
      );

    it("lets concurrent writers (instances) add to the same DailyUsage rows without deadlocking, each turn once", async () => {
      // Four writers over the same 360 DailyUsage rows (60 days, 3 agents, 2 lanes: two upsert statements
      // each) and 360 FingerprintDailyUsage rows (60 days, 3 agents, 2 fingerprints), half of them in
      // the opposite order: unordered upserts deadlock (40P01).
      const days = Array.from({ length: 60 }, (_, d) => new Date(Date.UTC(2026, 8, d + 1, 12)));
      const agents = ["loash", "ops", "quiet"];
      const fingerprints = [fingerprintOf("check the inbox at 09:00")!, fingerprintOf("review PR 12")!];
      const batch = (w: number) =>
        Array.from({ length: 720 }, (_, i) => {
          const k = w % 2 === 0 ? i : 719 - i;
          return {
            ...turn(agents[k % 3]!, days[Math.floor(k / 6) % 60]!),
            lane: k % 2 ? "local" : "claude",
            fingerprint: fingerprints[Math.floor(k / 3) % 2],
          } as TurnRecord;
        });
      for (let round = 0; round < 3; round++) await Promise.all([0, 1, 2, 3].map((w) => recordTurns(db, batch(w))));
      expect(await db.prisma.turn.count()).toBe(8_640);
      const daily = await db.prisma.dailyUsage.aggregate({ _sum: { turns: true } });
      expect(daily._sum.turns).toBe(8_640);
      const recurring = await db.prisma.fingerprintDailyUsage.aggregate({
        _sum: { turns: true, claudeTurns: true, costMicroUsd: true },
        _count: true,
      });
      expect(recurring).toMatchObject({
        _sum: { turns: 8_640, claudeTurns: 4_320, costMicroUsd: 864_000n },
        _count: 360,
      });
    });

    it("sums each day's turns of a fingerprint and agent, keeping the latest turn's lane and task type", async () => {
      const poll = fingerprintOf("check the inbox at 09:00 and ack message 41")!;
      const t = new Date("2026-11-30T10:00:00.000Z");
      const at = (minutes: number) => new Date(t.getTime() + minutes * 60_000);
      await recordTurns(db, [
        { ...turn("loash", at(0)), fingerprint: poll, lane: "local", taskTypeId: null, costMicroUsd: 5n },
        { ...turn("loash", at(30)), fingerprint: poll, contextForcedClaude: true, costMicroUsd: null },
        { ...turn("ops", at(10)), fingerprint: poll, lane: "local_careful" },
        { ...turn("loash", at(-24 * 60)), fingerprint: poll }, // the day before
        turn("loash", at(5)), // no fingerprint: not in the rollup
      ]);
      // Older than the latest in a later batch: added, without becoming the latest.
      await recordTurns(db, [{ ...turn("loash", at(20)), fingerprint: poll, lane: "sidecar", costMicroUsd: 1n }]);
      const rows = await db.prisma.fingerprintDailyUsage.findMany({ orderBy: [{ day: "asc" }, { agentId: "asc" }] });
      expect(rows).toEqual([
        {
          day: new Date("2026-11-29T00:00:00.000Z"),
          fingerprint: poll.id,
          agentId: "loash",
          turns: 1,
          claudeTurns: 1,
          contextForcedTurns: 0,
          costMicroUsd: 100n,
          counterfactualMicroUsd: 100n,
          lastSeenAt: at(-24 * 60),
          lastLane: "claude",
          lastTaskTypeId: null,
        },
        {
          day: new Date("2026-11-30T00:00:00.000Z"),
          fingerprint: poll.id,
          agentId: "loash",
          turns: 3,
          claudeTurns: 1,
          contextForcedTurns: 1,
          costMicroUsd: 6n,
          counterfactualMicroUsd: 300n,
          lastSeenAt: at(30),
          lastLane: "claude",
          lastTaskTypeId: null,
        },
        {
          day: new Date("2026-11-30T00:00:00.000Z"),
          fingerprint: poll.id,
          agentId: "ops",
          turns: 1,
          claudeTurns: 0,
          contextForcedTurns: 0,
          costMicroUsd: 100n,
          counterfactualMicroUsd: 100n,
          lastSeenAt: at(10),
          lastLane: "local_careful",
          lastTaskTypeId: null,
        },
      ]);
      // A newer turn in a later batch becomes the latest.
      await recordTurns(db, [{ ...turn("loash", at(40)), fingerprint: poll, lane: "local", costMicroUsd: 2n }]);
      expect(
        await db.prisma.fingerprintDailyUsage.findFirstOrThrow({
          where: { agentId: "loash", day: new Date("2026-11-30T00:00:00.000Z") },
        }),
      ).toMatchObject({ turns: 4, costMicroUsd: 8n, lastSeenAt: at(40), lastLane: "local" });
    });

    it("records each fingerprint once, when it was first seen, and only with a batch that was stored", async () => {
      const at = (m: number) => new Date(Date.UTC(2026, 10, 30, 9, m));
      const poll = fingerprintOf("check the mailbox for new messages")!;
      const status = fingerprintOf("write the status report for the team")!;
      const first = turn("loash", at(0));
      await recordTurns(db, [{ ...first, fingerprint: poll }]);
      // A batch the database refuses (a turn already stored) stores none of its fingerprints...
      await expect(
        recordTurns(db, [
          { ...turn("ops", at(5)), fingerprint: status },
          { ...first, fingerprint: poll },
        ]),
      ).rejects.toThrow();
      expect(await db.prisma.fingerprint.count()).toBe(1);
      // ...and the next batch that carries them does; a known one keeps when it was first seen.
      await recordTurns(db, [
        { ...turn("ops", at(10)), fingerprint: status },
        { ...turn("loash", at(20)), fingerprint: poll },
      ]);
      const rows = await db.prisma.fingerprint.findMany({ orderBy: { firstSeenAt: "asc" } });
      expect(rows.map((f) => [f.id, f.firstSeenAt])).toEqual([
        [poll.id, at(0)],
        [status.id, at(10)],
      ]);
    });

    it("marks each gateway turn's agent as seen when its latest turn ended, in the same write", async () => {
      const t = new Date("2026-11-30T10:00:00.000Z");
      await recordTurns(db, [
        turn("loash", t),
        turn("loash", new Date(t.getTime() + 60_000)),
        turn("ops", t),
        turn("quiet", t, "reported"),
      ]);
      const s = await seen();
      expect(s.get("loash")).toEqual(new Date(t.getTime() + 61_500));
      expect(s.get("ops")).toEqual(new Date(t.getTime() + 1_500));
      expect(s.get("quiet")).toBeNull(); // reported turns: POST /api/v1/turns touches the agent itself
      expect(await db.prisma.turn.count()).toBe(4);

      // An older turn written later (a retried batch) does not move it back.
      await recordTurns(db, [turn("loash", new Date(t.getTime() - 3_600_000))]);
      expect((await seen()).get("loash")).toEqual(new Date(t.getTime() + 61_500));
    });
  });
}
