// Model mappings on both databases: add and remove are audited, undo goes back through the same
// path, the gateway sees a change at once, and bad input is refused naming its field with nothing stored.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ZodError } from "zod";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { readSettings } from "@/server/db/settings";
import { addAgent } from "@/server/agents/manage-agents";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "@/server/gateway/gateway-state";
import { listTierChanges, undoTierChange } from "@/server/tiers/manage-tiers";
import { systemRouter } from "@/server/api/routers/system";
import { modelsRouter } from "@/server/api/routers/models";
import { addModelMapping, listModelMappings, removeModelMapping } from "./manage-model-mappings";

const OPUS_TO_SONNET = { from: "claude-opus-4-6", to: "claude-sonnet-4-6" };

for (const target of testDatabases()) {
  describe(`model mappings on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
      await addAgent(db, { id: "worker-1", name: "Worker 1" });
    });
    afterEach(() => {
      vi.restoreAllMocks();
      invalidateGatewayState();
    });

    /** What a refused change must leave untouched. */
    const snapshot = async () => ({
      mappings: (await readSettings(db)).modelMappings,
      audit: await db.prisma.tierChange.count(),
    });

    it("adds a mapping with its audit row, and the gateway's next turn sees it at once", async () => {
      // The clock stands still: the gateway's one-second snapshot would never expire on its own.
      vi.spyOn(Date, "now").mockReturnValue(Date.parse("2026-11-30T12:00:00Z"));
      expect((await gatewayState(db)).settings.modelMappings).toEqual([]);

      const change = await addModelMapping(db, { ...OPUS_TO_SONNET, note: "cheaper reviews" }, "operator");
      expect(change).toMatchObject({
        subjectType: "model_mapping",
        subjectId: "claude-opus-4-6|*|*",
        subjectName: "claude-opus-4-6 for every agent",
        fromValue: "none",
        toValue: "claude-sonnet-4-6",
        actor: "operator",
        note: "cheaper reviews",
      });
      const mapping = { from: "claude-opus-4-6", to: "claude-sonnet-4-6", agentId: null, taskTypeId: null };
      expect((await readSettings(db)).modelMappings).toEqual([mapping]);
      expect((await gatewayState(db)).settings.modelMappings).toEqual([mapping]);

      // A narrower scope of the same model is another mapping; the list says what each changes in price.
      await addModelMapping(
        db,
        { from: "claude-opus-4-6", to: "claude-haiku-4-5", agentId: "worker-1", taskTypeId: "heartbeat" },
        "operator",
      );
      const view = await listModelMappings(db);
      expect(view.mappings).toHaveLength(2);
      expect(view.mappings[0]).toMatchObject({
        ...mapping,
        fromPrice: { input: 5_000_000n, output: 25_000_000n },
        toPrice: { input: 3_000_000n, output: 15_000_000n },
      });
      expect(view.mappings[1]).toMatchObject({
        agentName: "Worker 1",
        taskTypeName: "Heartbeat processing",
        toPrice: { input: 1_000_000n, output: 5_000_000n },
      });
      expect(view.pricedModels.map((m) => m.model)).toContain("claude-haiku-4-5");
      expect(view.fleetModels).toEqual(["claude-opus-4-6"]);
      expect((await listTierChanges(db)).map((c) => c.subjectName)).toEqual([
        "claude-opus-4-6 for Worker 1, Heartbeat processing only",
        "claude-opus-4-6 for every agent",
      ]);
    });

    it("refuses bad input naming the field, and stores nothing", async () => {
      await addModelMapping(db, OPUS_TO_SONNET, "operator");
      const before = await snapshot();
      const refused: [Parameters<typeof addModelMapping>[1], Record<string, string>][] = [
        [
          { from: "claude-opus-4-6", to: "claude-opus-4-6" },
          { code: "BAD_REQUEST", field: "to" },
        ],
        // Not a Claude model, confirmed or not: the Claude lane could not serve it.
        [
          { from: "claude-opus-4-6", to: "qwen3:8b", confirmUnpriced: true },
          { code: "BAD_REQUEST", field: "to" },
        ],
        // The same scope twice: remove the first one instead.
        [
          { from: "claude-opus-4-6", to: "claude-haiku-4-5" },
          { code: "CONFLICT", field: "from" },
        ],
        [
          { ...OPUS_TO_SONNET, agentId: "ghost" },
          { code: "NOT_FOUND", field: "agentId" },
        ],
        [
          { ...OPUS_TO_SONNET, taskTypeId: "no-such-task" },
          { code: "NOT_FOUND", field: "taskTypeId" },
        ],
        // A model Offload cannot price, unconfirmed.
        [
          { from: "claude-sonnet-4-6", to: "claude-sonnet-9" },
          { code: "BAD_REQUEST", field: "to" },
        ],
      ];
      for (const [input, error] of refused) {
        const attempt = addModelMapping(db, input, "operator");
        await expect(attempt).rejects.toMatchObject(error);
        await expect(attempt).rejects.toThrow(new RegExp(`^${error.field}: `));
      }
      await expect(addModelMapping(db, { from: "claude opus", to: "x" }, "operator")).rejects.toSatisfy(
        (e) => e instanceof ZodError && e.issues[0]!.path.join(".") === "from",
      );
      await expect(removeModelMapping(db, { from: "claude-haiku-4-5" }, "operator")).rejects.toMatchObject({
        code: "NOT_FOUND",
        field: "from",
      });
      expect(await snapshot()).toEqual(before);

      // Confirmed, an unpriced target is accepted: its turns will be recorded unpriced.
      await addModelMapping(db, { from: "claude-sonnet-4-6", to: "claude-sonnet-9", confirmUnpriced: true }, "x");
      expect((await listModelMappings(db)).mappings[1]).toMatchObject({ to: "claude-sonnet-9", toPrice: null });
    });

    it("removes a mapping, and undoes add and remove through the same audited path", async () => {
      const added = await addModelMapping(db, { ...OPUS_TO_SONNET, agentId: "worker-1" }, "operator");
      const removed = await removeModelMapping(db, { from: "claude-opus-4-6", agentId: "worker-1" }, "operator");
      expect(removed).toMatchObject({
        subjectId: "claude-opus-4-6|worker-1|*",
        subjectName: "claude-opus-4-6 for Worker 1",
        fromValue: "claude-sonnet-4-6",
        toValue: "none",
      });
      expect((await readSettings(db)).modelMappings).toEqual([]);
      // Undoing the add would overwrite a newer state (the removal): refused, nothing written.
      const before = await snapshot();
      await expect(undoTierChange(db, added.id, "operator")).rejects.toMatchObject({
        code: "CONFLICT",
        field: "changeId",
      });
      expect(await snapshot()).toEqual(before);

      const restored = await undoTierChange(db, removed.id, "operator");
      expect(restored).toMatchObject({ fromValue: "none", toValue: "claude-sonnet-4-6" });
      expect(restored!.note).toContain("undo of");
      expect((await readSettings(db)).modelMappings).toEqual([
        { from: "claude-opus-4-6", to: "claude-sonnet-4-6", agentId: "worker-1", taskTypeId: null },
      ]);
      const undone = await undoTierChange(db, restored!.id, "operator");
      expect(undone).toMatchObject({ fromValue: "claude-sonnet-4-6", toValue: "none" });
      expect((await readSettings(db)).modelMappings).toEqual([]);
      expect(await db.prisma.tierChange.count()).toBe(4);
    });

    it("through the admin API: mappings via the models router only, never as a bare setting", async () => {
      const ctx = { db, actor: { kind: "operator" as const, name: "test" } };
      const models = modelsRouter.createCaller(ctx);
      await models.addMapping({ ...OPUS_TO_SONNET, agentId: "", taskTypeId: null });
      expect((await models.mappings()).mappings).toMatchObject([{ agentId: null, taskTypeId: null }]);
      await expect(systemRouter.createCaller(ctx).updateSettings({ modelMappings: [] })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/^modelMappings: /),
      });
      await expect(models.addMapping({ ...OPUS_TO_SONNET })).rejects.toMatchObject({
        code: "CONFLICT",
        cause: { field: "from" },
      });
      expect((await readSettings(db)).modelMappings).toHaveLength(1);
    });
  });
}
