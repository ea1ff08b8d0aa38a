// A settings change through the admin API reaches the gateway's next turn at once, not after the
// gateway's per-second snapshot runs out.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { gatewayState, invalidateGatewayState } from "@/server/gateway/gateway-state";
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
      invalidateGatewayState();
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
  });
}
