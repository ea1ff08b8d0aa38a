import { afterAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { addAgent, listAgents, removeAgent, rotateAgentKey } from "./manage-agents";
import { hashAgentKey } from "./agent-key";
import { seedCatalogue } from "@/server/db/seed";
import { OffloadError } from "@/server/core/errors";
import { testDatabases } from "@/server/testing/test-databases";

for (const target of testDatabases()) {
  describe(`agents on ${target.kind}`, () => {
    afterAll(() => target.cleanup());

    it("adds, lists, rotates and removes agents; keys are stored only as hashes", async () => {
      const db = await target.create();
      await seedCatalogue(db);
      const { agent, key } = await addAgent(db, { id: "worker-9", pin: "local", name: "Worker 9" });
      expect(key).toMatch(/^ofk_[A-Za-z0-9_-]{32}$/);
      expect(agent).toMatchObject({
        id: "worker-9",
        name: "Worker 9",
        pin: "local",
        localModel: "qwen3:8b",
        claudeModel: "claude-opus-4-6",
      });
      const row = await db.prisma.agent.findUniqueOrThrow({ where: { id: "worker-9" } });
      expect(row.apiKeyHash).toBe(hashAgentKey(key));
      expect(JSON.stringify(row)).not.toContain(key);

      const rotated = await rotateAgentKey(db, "worker-9");
      expect(rotated.key).not.toBe(key);
      const afterRotate = await db.prisma.agent.findUniqueOrThrow({ where: { id: "worker-9" } });
      expect(afterRotate.apiKeyHash).toBe(hashAgentKey(rotated.key));

      await removeAgent(db, "worker-9");
      expect((await listAgents(db)).map((a) => a.id)).not.toContain("worker-9");
      expect(await db.prisma.agent.count({ where: { apiKeyHash: hashAgentKey(rotated.key) } })).toBe(0);

      const back = await addAgent(db, { id: "worker-9" });
      expect(back.agent.pin).toBe("none");
      expect((await listAgents(db)).map((a) => a.id)).toContain("worker-9");
    });

    it("refuses a duplicate id or a non-slug id and writes nothing", async () => {
      const db = await target.create();
      await addAgent(db, { id: "loash" });
      const before = await db.prisma.agent.findUniqueOrThrow({ where: { id: "loash" } });
      await expect(addAgent(db, { id: "loash", name: "Other" })).rejects.toThrow(OffloadError);
      await expect(addAgent(db, { id: "loash" })).rejects.toThrow("agent loash already exists");
      expect(await db.prisma.agent.findUniqueOrThrow({ where: { id: "loash" } })).toEqual(before);

      for (const bad of ["Loash", "has space", "-dash", "dash-", "a/b", ""]) {
        const error = await addAgent(db, { id: bad }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ZodError);
        expect((error as ZodError).issues[0]!.path).toEqual(["id"]);
      }
      expect(await db.prisma.agent.count()).toBe(1);
      await expect(rotateAgentKey(db, "nobody")).rejects.toThrow("no agent nobody");
      await expect(removeAgent(db, "nobody")).rejects.toThrow("no agent nobody");
    });
  });
}
