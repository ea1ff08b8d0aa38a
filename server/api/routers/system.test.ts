// A settings change through the admin API reaches the gateway's next turn at once, not after the
// gateway's per-second snapshot runs out; it is audited in the admin's name and can be undone there.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "@/server/gateway/gateway-state";
import { resetEnv } from "@/server/process/env";
import { systemRouter } from "./system";

for (const target of testDatabases()) {
  describe(`system settings on ${target.kind}`, () => {
    let db: Db;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
    });
    afterEach(() => {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      resetEnv();
      invalidateGatewayState();
    });

    it("says where the Ollama hosts come from, and which variable would name them with the setting empty", async () => {
      const caller = systemRouter.createCaller({ db, actor: { kind: "operator", name: "test" } });
      vi.stubEnv("OLLAMA_HOSTS", "");
      vi.stubEnv("OLLAMA_HOST", "http://gpu0:11434/");
      resetEnv();
      expect(await caller.info()).toMatchObject({
        ollamaHosts: ["http://gpu0:11434"],
        ollamaHostsSource: "OLLAMA_HOST",
        environmentOllamaHosts: ["http://gpu0:11434"],
        environmentOllamaHostsSource: "OLLAMA_HOST",
      });

      vi.stubEnv("OLLAMA_HOSTS", "http://gpu1:11434,http://gpu2:11434");
      resetEnv();
      await caller.updateSettings({ ollamaHosts: ["http://gpu3:11434"] });
      expect(await caller.info()).toMatchObject({
        ollamaHosts: ["http://gpu3:11434"],
        ollamaHostsSource: "setting",
        environmentOllamaHosts: ["http://gpu1:11434", "http://gpu2:11434"],
        environmentOllamaHostsSource: "OLLAMA_HOSTS",
      });
    });

    it("applies a settings change to the gateway's next turn at once", async () => {
      // The clock stands still, so the gateway's one-second snapshot never expires on its own here.
      vi.spyOn(Date, "now").mockReturnValue(Date.parse("2026-11-30T12:00:00Z"));
      const before = await gatewayState(db);
      expect(before.settings).toMatchObject({ escalateWhenLocalDown: true, defaultLocalModel: "qwen3:8b" });
      expect(await gatewayState(db)).toBe(before); // the snapshot is cached

      const caller = systemRouter.createCaller({ db, actor: { kind: "operator", name: "test" } });
      await caller.updateSettings({ escalateWhenLocalDown: false, defaultLocalModel: "qwen3:14b" });

      const after = await gatewayState(db);
      expect(after.settings).toMatchObject({ escalateWhenLocalDown: false, defaultLocalModel: "qwen3:14b" });
      expect(await caller.settings()).toMatchObject({ escalateWhenLocalDown: false });
    });

    it("keeps the snapshot when a change is refused", async () => {
      vi.spyOn(Date, "now").mockReturnValue(Date.parse("2026-11-30T12:00:00Z"));
      const before = await gatewayState(db);
      const caller = systemRouter.createCaller({ db, actor: { kind: "operator", name: "test" } });
      await expect(caller.updateSettings({ healthMaxErrorRate: 2 })).rejects.toThrow(/healthMaxErrorRate/);
      expect(await gatewayState(db)).toBe(before);
    });

    it("audits a change in the admin's name, lists it, and undoes it; a bad value names the field", async () => {
      const caller = systemRouter.createCaller({ db, actor: { kind: "operator", name: "Ada" } });
      const { changes } = await caller.updateSettings({ localContextTokens: 24_576, note: "smaller GPU" });
      expect(changes).toMatchObject([
        { key: "localContextTokens", fromValue: "32768", toValue: "24576", actor: "Ada" },
      ]);
      expect(await caller.settingChanges({ limit: 5 })).toMatchObject([
        { key: "localContextTokens", actor: "Ada", note: "smaller GPU" },
      ]);

      const err = await caller.updateSettings({ heartbeatPatterns: ["ok", "[unclosed"] }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/^heartbeatPatterns\.1: not a valid regular expression/),
      });
      expect((await caller.settings()).heartbeatPatterns).toEqual([]);

      const cli = systemRouter.createCaller({ db, actor: { kind: "cli", name: "cli" } });
      const undone = await cli.undoSettingChange({ changeId: changes[0]!.id });
      expect(undone).toMatchObject({ key: "localContextTokens", fromValue: "24576", toValue: "32768", actor: "cli" });
      expect((await caller.settings()).localContextTokens).toBe(32_768);
      await expect(cli.undoSettingChange({ changeId: changes[0]!.id })).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await caller.settingChanges()).toHaveLength(2);
    });
  });
}
