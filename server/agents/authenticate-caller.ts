// Who calls an agent endpoint (/v1/messages, count_tokens, /api/v1/*): an agent by its Offload key
// (x-api-key or Authorization: Bearer), or, where the endpoint allows it, an operator by the admin
// token (or the local CLI by its credential). The one authentication of every agent endpoint; a
// removed agent's key fails at once. The gateway passes its one-second snapshot of agents by key
// hash, so that a turn costs no query; a key missing from it (issued a moment ago) is looked up.
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import type { Pin } from "@/server/core/lanes";
import { bearerToken, isValidAdminToken, isCliToken } from "@/server/auth/admin-auth";
import { hashAgentKey } from "./agent-key";

/** What a turn needs to know about the agent that sends it. */
export type CallerAgent = { id: string; pin: Pin; localModel: string; claudeModel: string; heartbeatMinutes: number };

export type Caller = { kind: "agent"; agentId: string; agent: CallerAgent } | { kind: "admin"; name: string };

export type AuthenticateOptions = {
  /** Whether the admin token (and the CLI's credential) may call this endpoint. */
  allowAdmin?: boolean;
  /** Agents by key hash, already loaded (the gateway's snapshot). */
  knownAgents?: ReadonlyMap<string, CallerAgent>;
};

const LAST_SEEN_EVERY_MS = 30_000;

/**
 * Keys looked up and not found, per snapshot of known agents: a client repeating a wrong key costs
 * no query until the next snapshot (at most a second later, or at once after a key changes here or
 * on another instance), which then knows any key issued meanwhile. Bounded: a flood of made-up keys
 * goes on being looked up past this many, never grows the memory.
 */
const missesBySnapshot = new WeakMap<ReadonlyMap<string, CallerAgent>, Set<string>>();
const REMEMBERED_MISSES = 1_000;

function unknownKeys(snapshot: ReadonlyMap<string, CallerAgent>): Set<string> {
  let misses = missesBySnapshot.get(snapshot);
  if (!misses) missesBySnapshot.set(snapshot, (misses = new Set()));
  return misses;
}

/** The credential sent: x-api-key, else Authorization: Bearer. */
export function callerToken(headers: Headers): string | null {
  return headers.get("x-api-key")?.trim() || bearerToken(headers) || null;
}

export async function authenticateCaller(db: Db, headers: Headers, options: AuthenticateOptions = {}): Promise<Caller> {
  const token = callerToken(headers);
  if (!token)
    throw new OffloadError(
      "UNAUTHORIZED",
      options.allowAdmin
        ? "send an agent key or the admin token as x-api-key or Authorization: Bearer"
        : "send the agent's Offload key as x-api-key or Authorization: Bearer",
    );
  const hash = hashAgentKey(token);
  const known = options.knownAgents?.get(hash);
  if (known) return { kind: "agent", agentId: known.id, agent: known };
  if (options.allowAdmin) {
    if (isCliToken(token)) return { kind: "admin", name: "cli" };
    if (isValidAdminToken(token)) return { kind: "admin", name: "admin-token" };
  }
  const misses = options.knownAgents ? unknownKeys(options.knownAgents) : null;
  if (misses?.has(hash)) throw new OffloadError("UNAUTHORIZED", "invalid API key (x-api-key)");
  const agent = await db.prisma.agent.findUnique({
    where: { apiKeyHash: hash },
    select: { id: true, pin: true, localModel: true, claudeModel: true, heartbeatMinutes: true, removedAt: true },
  });
  if (!agent || agent.removedAt) {
    if (misses && misses.size < REMEMBERED_MISSES) misses.add(hash);
    throw new OffloadError("UNAUTHORIZED", "invalid API key (x-api-key)");
  }
  const { removedAt: _removed, ...found } = agent;
  return { kind: "agent", agentId: found.id, agent: found };
}

/** Records that an agent was seen, at most every 30 s per agent (gateway turns do it with their turn writes). */
export async function touchAgent(db: Db, agentId: string, now = new Date()): Promise<void> {
  await db.prisma.agent.updateMany({
    where: {
      id: agentId,
      OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: new Date(now.getTime() - LAST_SEEN_EVERY_MS) } }],
    },
    data: { lastSeenAt: now },
  });
}
