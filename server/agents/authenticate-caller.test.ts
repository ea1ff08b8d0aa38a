// The agent endpoints' authentication: a key in the gateway's snapshot costs no query; a wrong key
// is looked up once per snapshot, not on every request that repeats it.
import { describe, expect, it, vi } from "vitest";
import type { Db } from "@/server/db/client";
import { authenticateCaller, type CallerAgent } from "./authenticate-caller";
import { hashAgentKey } from "./agent-key";

const agent: CallerAgent = { id: "loash", pin: "none", localModel: "qwen3:8b", claudeModel: "", heartbeatMinutes: 30 };

function fakeDb(rows: Map<string, CallerAgent & { removedAt: Date | null }>) {
  const findUnique = vi.fn(async ({ where }: { where: { apiKeyHash: string } }) => rows.get(where.apiKeyHash) ?? null);
  return { db: { prisma: { agent: { findUnique } } } as unknown as Db, findUnique };
}
const headers = (key: string) => new Headers({ "x-api-key": key });

describe("authenticateCaller", () => {
  it("answers a key in the snapshot without a query", async () => {
    const { db, findUnique } = fakeDb(new Map());
    const snapshot = new Map([[hashAgentKey("ofk_good"), agent]]);
    const caller = await authenticateCaller(db, headers("ofk_good"), { knownAgents: snapshot });
    expect(caller).toEqual({ kind: "agent", agentId: "loash", agent });
    expect(findUnique).not.toHaveBeenCalled();
  });

  it("looks a wrong key up once per snapshot, and a key issued since the snapshot is found", async () => {
    const rows = new Map<string, CallerAgent & { removedAt: Date | null }>();
    const { db, findUnique } = fakeDb(rows);
    const snapshot = new Map<string, CallerAgent>();
    for (let i = 0; i < 3; i++)
      await expect(authenticateCaller(db, headers("ofk_wrong"), { knownAgents: snapshot })).rejects.toThrow(
        /invalid API key/,
      );
    expect(findUnique).toHaveBeenCalledTimes(1);
    // A key issued a moment ago (on another instance), not in the snapshot yet: looked up and found.
    rows.set(hashAgentKey("ofk_new"), { ...agent, id: "new", removedAt: null });
    const caller = await authenticateCaller(db, headers("ofk_new"), { knownAgents: snapshot });
    expect(caller.kind === "agent" && caller.agentId).toBe("new");
    // A removed agent's key is refused, and remembered as such for this snapshot.
    rows.set(hashAgentKey("ofk_gone"), { ...agent, id: "gone", removedAt: new Date() });
    await expect(authenticateCaller(db, headers("ofk_gone"), { knownAgents: snapshot })).rejects.toThrow();
    await expect(authenticateCaller(db, headers("ofk_gone"), { knownAgents: snapshot })).rejects.toThrow();
    expect(findUnique).toHaveBeenCalledTimes(3);
    // The next snapshot asks the database again.
    await expect(authenticateCaller(db, headers("ofk_wrong"), { knownAgents: new Map() })).rejects.toThrow();
    expect(findUnique).toHaveBeenCalledTimes(4);
  });

  it("without a snapshot (the other agent endpoints) looks every key up", async () => {
    const { db, findUnique } = fakeDb(new Map());
    for (let i = 0; i < 2; i++) await expect(authenticateCaller(db, headers("ofk_wrong"))).rejects.toThrow();
    expect(findUnique).toHaveBeenCalledTimes(2);
  });
});
