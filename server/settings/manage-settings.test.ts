// Settings changes on both databases: one audit row per changed key in the same transaction as the
// value, nothing for a no-op, nothing stored for a bad value (named), and an undo that refuses when
// the setting changed since.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { readSettings } from "@/server/db/settings";
import { OffloadError } from "@/server/core/errors";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "@/server/gateway/gateway-state";
import { changeSettings, listSettingChanges, undoSettingChange } from "./manage-settings";

const settingRows = (db: Db) =>
  db.prisma.tierChange.findMany({ where: { subjectType: "setting" }, orderBy: { subjectId: "asc" } });

for (const target of testDatabases()) {
  describe(`settings changes on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
    });
    afterEach(() => {
      vi.restoreAllMocks();
      invalidateGatewayState();
    });

    it("stores a change and audits each changed key, with the JSON of the old and new values", async () => {
      const { settings, changes } = await changeSettings(
        db,
        {
          localContextTokens: 24_576,
          heartbeatPatterns: ["^\\[fleet heartbeat\\]"],
          defaultLocalModel: " qwen3:14b ",
          kvCacheType: "f16", // as it is: not audited
          note: "a smaller GPU",
        },
        "Operator",
      );
      expect(settings).toMatchObject({
        localContextTokens: 24_576,
        heartbeatPatterns: ["^\\[fleet heartbeat\\]"],
        defaultLocalModel: "qwen3:14b",
      });
      expect(await readSettings(db)).toMatchObject({ localContextTokens: 24_576, defaultLocalModel: "qwen3:14b" });
      expect(changes.map((c) => c.key).sort()).toEqual([
        "defaultLocalModel",
        "heartbeatPatterns",
        "localContextTokens",
      ]);
      const rows = await settingRows(db);
      expect(rows.map((r) => [r.subjectId, r.fromValue, r.toValue, r.actor, r.note])).toEqual([
        ["defaultLocalModel", '"qwen3:8b"', '"qwen3:14b"', "Operator", "a smaller GPU"],
        ["heartbeatPatterns", "[]", '["^\\\\[fleet heartbeat\\\\]"]', "Operator", "a smaller GPU"],
        ["localContextTokens", "32768", "24576", "Operator", "a smaller GPU"],
      ]);
      expect(JSON.parse(rows[1]!.toValue)).toEqual(["^\\[fleet heartbeat\\]"]);
      const listed = await listSettingChanges(db);
      expect(listed).toHaveLength(3);
      expect(listed[0]).toMatchObject({ actor: "Operator", note: "a smaller GPU" });
    });

    it("applies a change to the gateway's next turn at once", async () => {
      vi.spyOn(Date, "now").mockReturnValue(Date.parse("2026-11-30T12:00:00Z"));
      const before = await gatewayState(db);
      expect(before.settings.escalateWhenLocalDown).toBe(true);
      await changeSettings(db, { escalateWhenLocalDown: false }, "Operator");
      expect((await gatewayState(db)).settings.escalateWhenLocalDown).toBe(false);
    });

    it("writes nothing for a patch that changes nothing", async () => {
      const before = await db.prisma.setting.findMany({ orderBy: { key: "asc" } });
      const { changes } = await changeSettings(db, { localContextTokens: 32_768, heartbeatPatterns: [] }, "Operator");
      expect(changes).toEqual([]);
      expect(await changeSettings(db, {}, "Operator")).toMatchObject({ changes: [] });
      expect(await settingRows(db)).toEqual([]);
      expect(await db.prisma.setting.findMany({ orderBy: { key: "asc" } })).toEqual(before);
    });

    it("refuses a bad value naming its field, and stores nothing of the patch", async () => {
      const refused = async (patch: unknown, field: string | undefined, message: RegExp) => {
        const err = await changeSettings(db, patch, "Operator").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OffloadError);
        expect(err).toMatchObject({ code: "BAD_REQUEST", field });
        expect((err as Error).message).toMatch(message);
      };
      await refused(
        { localKeepAliveMinutes: 45, localContextTokens: 12 },
        "localContextTokens",
        /^localContextTokens: at least 2,048 tokens$/,
      );
      await refused(
        { heartbeatPatterns: ["^ok$", "(unclosed"] },
        "heartbeatPatterns.1",
        /^heartbeatPatterns\.1: not a valid regular expression \(.+\)$/,
      );
      await refused({ heartbeatPatterns: ["  "] }, "heartbeatPatterns.0", /would match every turn/);
      await refused({ electricityUsdPerKwh: "cheap" }, "electricityUsdPerKwh", /^electricityUsdPerKwh: a number/);
      await refused({ kvCacheType: "q2" }, "kvCacheType", /^kvCacheType: one of f16, q8_0, q4_0$/);
      await refused({ nope: 1 }, undefined, /^Unrecognized key: "nope"$/);
      // Rules between settings name the field too, on what the change would leave.
      await refused(
        { localKeepAliveMinutes: 45, localContextTokens: 2_048 },
        "localAnswerReserveTokens",
        /^localAnswerReserveTokens: must be less than the local context/,
      );
      // Model mappings keep their own audited path.
      await expect(changeSettings(db, { modelMappings: [] }, "Operator")).rejects.toMatchObject({
        code: "BAD_REQUEST",
        field: "modelMappings",
        message: expect.stringMatching(/^modelMappings: change model mappings with models.addMapping/),
      });
      expect(await settingRows(db)).toEqual([]);
      expect(await readSettings(db)).toMatchObject({ localKeepAliveMinutes: 30, localContextTokens: 32_768 });
    });

    it("takes a retention period of raw turns from 31 to 3,650 days or 0, and refuses others naming turnRetentionDays", async () => {
      const refused = async (turnRetentionDays: unknown, message: RegExp) => {
        const err = await changeSettings(db, { gpuWatts: 400, turnRetentionDays }, "Operator").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OffloadError);
        expect(err).toMatchObject({ code: "BAD_REQUEST", field: "turnRetentionDays" });
        expect((err as Error).message).toMatch(message);
      };
      await refused(30, /^turnRetentionDays: at least 31 days, or 0 to keep every turn/);
      await refused(-1, /^turnRetentionDays: at least 31 days/);
      await refused(3_651, /^turnRetentionDays: at most 3,650 days \(ten years\), or 0 to keep every turn$/);
      await refused(90.5, /^turnRetentionDays: a whole number of days: 0 \(keep every turn\) or 31 to 3,650 days$/);
      await refused("90", /^turnRetentionDays: a whole number of days/);
      await refused(null, /^turnRetentionDays: a whole number of days/);
      // Nothing of the patch was stored, nothing audited.
      expect(await settingRows(db)).toEqual([]);
      expect(await readSettings(db)).toMatchObject({ gpuWatts: 350, turnRetentionDays: 0 });

      for (const days of [31, 3_650, 0]) await changeSettings(db, { turnRetentionDays: days }, "Operator");
      expect((await readSettings(db)).turnRetentionDays).toBe(0);
      expect((await settingRows(db)).map((r) => [r.fromValue, r.toValue])).toEqual(
        expect.arrayContaining([
          ["0", "31"],
          ["31", "3650"],
          ["3650", "0"],
        ]),
      );
    });

    it("undoes a change through the same audited path, and refuses when the setting changed since", async () => {
      const [first] = (await changeSettings(db, { localContextTokens: 24_576 }, "Ada")).changes;
      const [second] = (await changeSettings(db, { heartbeatPatterns: ["^ping$"] }, "Ada")).changes;
      const undone = await undoSettingChange(db, second!.id, "Grace");
      expect(undone).toMatchObject({
        key: "heartbeatPatterns",
        fromValue: '["^ping$"]',
        toValue: "[]",
        actor: "Grace",
        note: expect.stringMatching(/^undo of the change at /),
      });
      expect((await readSettings(db)).heartbeatPatterns).toEqual([]);
      // Undone already: the setting no longer has the value that change set.
      await expect(undoSettingChange(db, second!.id, "Grace")).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(/^heartbeatPatterns changed since/),
      });
      // Changed since by someone else: refused, nothing written.
      await changeSettings(db, { localContextTokens: 16_384 }, "Ada");
      const count = await db.prisma.tierChange.count();
      await expect(undoSettingChange(db, first!.id, "Grace")).rejects.toMatchObject({
        code: "CONFLICT",
        field: "changeId",
        message: "localContextTokens changed since (it is 16384 now, not 24576); nothing undone",
      });
      expect(await db.prisma.tierChange.count()).toBe(count);
      expect((await readSettings(db)).localContextTokens).toBe(16_384);
      // The undo is a change like any other: undoing it puts the value back.
      await undoSettingChange(db, undone.id, "Grace");
      expect((await readSettings(db)).heartbeatPatterns).toEqual(["^ping$"]);
      const listed = await listSettingChanges(db, 2);
      expect(listed.map((c) => [c.key, c.actor])).toEqual([
        ["heartbeatPatterns", "Grace"],
        ["localContextTokens", "Ada"],
      ]);
    });

    it("refuses to undo what is not a setting change", async () => {
      await expect(undoSettingChange(db, "0190-nope", "Grace")).rejects.toMatchObject({ code: "NOT_FOUND" });
      const lane = await db.prisma.tierChange.create({
        data: { subjectType: "task_type", subjectId: "heartbeat", fromValue: "local", toValue: "claude", actor: "x" },
      });
      await expect(undoSettingChange(db, lane.id, "Grace")).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await listSettingChanges(db)).toEqual([]);
    });

    it("serialises concurrent changes: each audit row starts from the value the one before left", async () => {
      await Promise.all([10, 20, 40].map((m) => changeSettings(db, { localKeepAliveMinutes: m }, `op-${m}`)));
      const rows = await settingRows(db);
      expect(rows).toHaveLength(3);
      // A chain from the default, 30 -> a -> b -> c, ending at the stored value: no change audited from a stale value.
      const next = new Map(rows.map((r) => [r.fromValue, r.toValue]));
      expect(next.size).toBe(3);
      let value = "30";
      for (let i = 0; i < 3; i++) value = next.get(value)!;
      expect(value).toBe(String((await readSettings(db)).localKeepAliveMinutes));
    });
  });
}
