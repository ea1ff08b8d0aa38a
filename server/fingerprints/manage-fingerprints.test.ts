// Recurring turns and the operator's rules for them, on each database: the Turns page's reads, an
// assignment's validation (the field is named, nothing is stored), its audit and its undo.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import { recordTurns } from "@/server/db/record-turns";
import type { Db } from "@/server/db/client";
import { fingerprintOf } from "@/server/core/turns/fingerprint";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { listTierChanges, undoTierChange } from "@/server/tiers/manage-tiers";
import { assignFingerprint } from "./manage-fingerprints";
import { readRecentTurns, readRecurringFingerprints } from "./read-turns";

const HOUR = 3_600_000;

for (const target of testDatabases()) {
  describe(`recurring turns on ${target.kind}`, () => {
    let db: Db;
    const now = new Date();
    const poll = fingerprintOf("check the inbox at 09:00 and ack message 41")!;
    const review = fingerprintOf("review PR 12 for race conditions")!;

    afterAll(() => target.cleanup());
    beforeEach(async () => {
      db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
      await addAgent(db, { id: "worker-1" });
      const at = (h: number) => new Date(now.getTime() - h * HOUR);
      await recordTurns(db, [
        ...[1, 2, 3, 4, 5, 6].map((h) =>
          testTurn({
            fingerprint: poll,
            startedAt: at(h),
            agentId: h % 2 ? "loash" : "worker-1",
            costMicroUsd: 5_000n,
          }),
        ),
        testTurn({
          fingerprint: review,
          startedAt: at(2),
          taskTypeId: "code-review",
          costMicroUsd: 900_000n,
          counterfactualMicroUsd: 900_000n,
          confidence: 0.91,
          promptTokens: 20_000,
        }),
        testTurn({ fingerprint: null, startedAt: at(1), source: "reported" }),
        // Older than the window: not counted.
        testTurn({ fingerprint: review, startedAt: at(24 * 9) }),
      ]);
    });

    it("lists fingerprints by turns a day or by cost, with agents and their current lane", async () => {
      const byTurns = await readRecurringFingerprints(db, {}, now);
      expect(byTurns.fingerprints.map((f) => [f.id, f.turns, f.agents])).toEqual([
        [poll.id, 6, 2],
        [review.id, 1, 1],
      ]);
      expect(byTurns.fingerprints[0]).toMatchObject({ template: poll.template, lane: "claude", rule: null });
      const byCost = await readRecurringFingerprints(db, { sort: "cost" }, now);
      expect(byCost.fingerprints[0]!.id).toBe(review.id);
      const ofWorker = await readRecurringFingerprints(db, { agentId: "worker-1" }, now);
      expect(ofWorker.fingerprints.map((f) => [f.id, f.turns])).toEqual([[poll.id, 3]]);
    });

    it("lists recent turns with why they went where, their fingerprint and prompt size", async () => {
      const recent = await readRecentTurns(db, { limit: 3 });
      expect(recent).toHaveLength(3);
      const reviewed = (await readRecentTurns(db, { fingerprint: review.id })).find((t) => t.confidence !== null)!;
      expect(reviewed).toMatchObject({
        template: review.template,
        taskTypeName: "Code review",
        confidence: 0.91,
        promptTokens: 20_000,
        contextForcedClaude: false,
        agentName: "loash",
      });
    });

    it("assigns a fingerprint to a task type: its lane shows at once, audited, undoable", async () => {
      const change = await assignFingerprint(db, { id: poll.id, taskTypeId: "mailbox-poll", from: null }, "ann");
      expect(change).toMatchObject({ fromValue: "none", toValue: "mailbox-poll", actor: "ann" });
      const [listed] = (await readRecurringFingerprints(db, {}, now)).fingerprints;
      expect(listed).toMatchObject({ lane: "local", taskTypeId: "mailbox-poll", rule: { assignedBy: "ann" } });
      expect(await assignFingerprint(db, { id: poll.id, taskTypeId: "mailbox-poll" }, "ann")).toBeNull();

      const [audit] = await listTierChanges(db);
      expect(audit).toMatchObject({
        subjectType: "fingerprint",
        subjectName: `“${poll.template}”`,
        valueNames: { "mailbox-poll": "Mailbox polling & ack" },
      });
      await undoTierChange(db, change!.id, "ann");
      expect((await db.prisma.fingerprint.findUniqueOrThrow({ where: { id: poll.id } })).taskTypeId).toBeNull();
      expect((await listTierChanges(db))[0]).toMatchObject({ fromValue: "mailbox-poll", toValue: "none" });
    });

    it("refuses bad input naming the field, and stores nothing", async () => {
      await expect(assignFingerprint(db, { id: "nope", taskTypeId: "mailbox-poll" }, "ann")).rejects.toThrow(
        /16 hexadecimal digits/,
      );
      await expect(
        assignFingerprint(db, { id: "0123456789abcdef", taskTypeId: "mailbox-poll" }, "ann"),
      ).rejects.toMatchObject({ code: "NOT_FOUND", field: "id" });
      await expect(assignFingerprint(db, { id: poll.id, taskTypeId: "no-such-type" }, "ann")).rejects.toMatchObject({
        code: "NOT_FOUND",
        field: "taskTypeId",
      });
      await expect(
        assignFingerprint(db, { id: poll.id, taskTypeId: "mailbox-poll", from: "status-report" }, "ann"),
      ).rejects.toMatchObject({ code: "CONFLICT", field: "from" });
      expect((await db.prisma.fingerprint.findUniqueOrThrow({ where: { id: poll.id } })).taskTypeId).toBeNull();
      expect(await db.prisma.tierChange.count()).toBe(0);
    });
  });
}
