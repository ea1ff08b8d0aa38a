// One freshness rule for health: the router's verdict turns "unknown" exactly when the health page
// calls the sample stale and polls afresh, three poll intervals after it was taken.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { resetEnv } from "@/server/process/env";
import { testDatabases } from "@/server/testing/test-databases";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { readOllamaHealth } from "./read-ollama-health";
import { readHealthStatus } from "./read-health";

const savedEnv = { ...process.env };

for (const target of testDatabases()) {
  describe(`health freshness on ${target.kind}`, () => {
    let ollama: FakeOllama;
    let db: Db;

    beforeAll(async () => {
      ollama = await startFakeOllama();
      process.env.OLLAMA_HOST = ollama.url;
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });
    beforeEach(async () => {
      db = await target.create();
    });

    const sampleAged = async (now: Date, ageSeconds: number) => {
      await db.prisma.healthSample.deleteMany();
      await db.prisma.healthSample.create({
        data: { takenAt: new Date(now.getTime() - ageSeconds * 1000), status: "up", reasons: [] },
      });
    };

    it("follows the poll interval: three intervals fresh, then unknown to the router and stale to the page", async () => {
      const now = new Date();
      const cases: [intervalS: number, ageS: number, fresh: boolean][] = [
        [15, 30, true],
        [15, 60, false], // under the old fixed 2 minutes the router still trusted this one
        [60, 150, true], // and no longer trusted this one, which the health page called fresh
        [60, 200, false],
      ];
      for (const [intervalS, ageS, fresh] of cases) {
        process.env.OFFLOAD_HEALTH_INTERVAL_S = String(intervalS);
        resetEnv();
        await sampleAged(now, ageS);
        const label = `${ageS} s old at a ${intervalS} s interval`;
        expect((await readOllamaHealth(db, now)).status, label).toBe(fresh ? "up" : "unknown");
        const page = await readHealthStatus(db, now);
        // A stale sample makes the page poll afresh: a new sample taken now.
        expect(page.takenAt.getTime() === now.getTime(), label).toBe(!fresh);
        expect(await db.prisma.healthSample.count(), label).toBe(fresh ? 1 : 2);
      }
    });
  });
}
