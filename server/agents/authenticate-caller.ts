// Who calls the public API: an agent by its Offload key (Authorization: Bearer or x-api-key), or an
// operator by the admin token (or the local CLI by its credential). A removed agent's key fails at once.
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { bearerToken, isValidAdminToken, isCliToken } from "@/server/auth/admin-auth";
import { hashAgentKey } from "./agent-key";

export type Caller = { kind: "agent"; agentId: string } | { kind: "admin"; name: string };

const LAST_SEEN_EVERY_MS = 30_000;

export async function authenticateCaller(db: Db, headers: Headers): Promise<Caller> {
  const token = bearerToken(headers) ?? headers.get("x-api-key")?.trim() ?? null;
  if (!token)
    throw new OffloadError(
      "UNAUTHORIZED",
      "send an agent key or the admin token as Authorization: Bearer (or x-api-key)",
    );
  if (isCliToken(token)) return { kind: "admin", name: "cli" };
  if (isValidAdminToken(token)) return { kind: "admin", name: "admin-token" };
  const agent = await db.prisma.agent.findUnique({
    where: { apiKeyHash: hashAgentKey(token) },
    select: { id: true, removedAt: true },
  });
  if (!agent || agent.removedAt) throw new OffloadError("UNAUTHORIZED", "invalid API key");
  return { kind: "agent", agentId: agent.id };
}

/** Records that an agent was seen, at most every 30 s per agent. */
export async function touchAgent(db: Db, agentId: string, now = new Date()): Promise<void> {
  await db.prisma.agent.updateMany({
    where: {
      id: agentId,
      OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: new Date(now.getTime() - LAST_SEEN_EVERY_MS) } }],
    },
    data: { lastSeenAt: now },
  });
}
