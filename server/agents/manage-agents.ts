// Adding, listing, re-keying and removing agents. A removed agent keeps its history (turns,
// costs) but loses its key at once; adding the same id again brings it back with a new key.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { PINS } from "@/server/core/lanes";
import { issueAgentKey } from "./agent-key";
import { readSettings } from "@/server/db/settings";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";

export const agentIdSchema = z
  .string()
  .trim()
  .min(1, "agent id is required")
  .max(63, "agent id must be at most 63 characters")
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    "agent id must be a slug: lowercase letters, digits and inner hyphens (e.g. worker-1)",
  );

export const addAgentInput = z.object({
  id: agentIdSchema,
  name: z.string().trim().min(1).max(120).optional(),
  role: z.string().trim().max(200).optional(),
  pin: z.enum(PINS).optional(),
  localModel: z.string().trim().min(1).max(200).optional(),
  claudeModel: z.string().trim().min(1).max(200).optional(),
  heartbeatMinutes: z.number().int().min(1).max(1440).optional(),
  activeHours: z.number().min(0.5).max(24).optional(),
});
export type AddAgentInput = z.input<typeof addAgentInput>;

export type AgentSummary = {
  id: string;
  name: string;
  role: string;
  pin: (typeof PINS)[number];
  localModel: string;
  claudeModel: string;
  heartbeatMinutes: number;
  activeHours: number;
  keyPrefix: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
};

const summarySelect = {
  id: true,
  name: true,
  role: true,
  pin: true,
  localModel: true,
  claudeModel: true,
  heartbeatMinutes: true,
  activeHours: true,
  apiKeyPrefix: true,
  createdAt: true,
  lastSeenAt: true,
} as const;

function toSummary(a: { apiKeyPrefix: string | null } & Omit<AgentSummary, "keyPrefix">): AgentSummary {
  const { apiKeyPrefix, ...rest } = a;
  return { ...rest, keyPrefix: apiKeyPrefix };
}

export async function addAgent(db: Db, input: AddAgentInput): Promise<{ agent: AgentSummary; key: string }> {
  const data = addAgentInput.parse(input);
  const settings = await readSettings(db);
  const issued = issueAgentKey();
  const existing = await db.prisma.agent.findUnique({ where: { id: data.id } });
  if (existing && !existing.removedAt) throw new OffloadError("CONFLICT", `agent ${data.id} already exists`, "id");
  const fields = {
    name: data.name ?? data.id,
    role: data.role ?? "",
    pin: data.pin ?? "none",
    localModel: data.localModel ?? settings.defaultLocalModel,
    claudeModel: data.claudeModel ?? settings.defaultClaudeModel,
    heartbeatMinutes: data.heartbeatMinutes ?? 5,
    activeHours: Math.round(data.activeHours ?? 16),
    apiKeyHash: issued.hash,
    apiKeyPrefix: issued.prefix,
    keyRotatedAt: new Date(),
  };
  const agent = existing
    ? await db.prisma.agent.update({
        where: { id: data.id },
        data: { ...fields, removedAt: null },
        select: summarySelect,
      })
    : await db.prisma.agent.create({ data: { id: data.id, ...fields }, select: summarySelect });
  return { agent: toSummary(agent), key: issued.key };
}

export async function listAgents(db: Db): Promise<AgentSummary[]> {
  const rows = await db.prisma.agent.findMany({
    where: { removedAt: null },
    orderBy: { id: "asc" },
    select: summarySelect,
  });
  return rows.map(toSummary);
}

async function requireActiveAgent(db: Db, id: string) {
  const agentId = agentIdSchema.parse(id);
  const agent = await db.prisma.agent.findUnique({ where: { id: agentId } });
  if (!agent || agent.removedAt) throw new OffloadError("NOT_FOUND", `no agent ${agentId}`, "id");
  return agent;
}

export async function rotateAgentKey(db: Db, id: string): Promise<{ agent: AgentSummary; key: string }> {
  await requireActiveAgent(db, id);
  const issued = issueAgentKey();
  const agent = await db.prisma.agent.update({
    where: { id },
    data: { apiKeyHash: issued.hash, apiKeyPrefix: issued.prefix, keyRotatedAt: new Date() },
    select: summarySelect,
  });
  invalidateGatewayState(); // the old key stops working at once in this process
  return { agent: toSummary(agent), key: issued.key };
}

export async function removeAgent(db: Db, id: string): Promise<{ id: string; turnsKept: number }> {
  await requireActiveAgent(db, id);
  await db.prisma.agent.update({
    where: { id },
    data: { removedAt: new Date(), apiKeyHash: null, apiKeyPrefix: null },
  });
  invalidateGatewayState(); // the key stops working at once in this process
  const turnsKept = await db.prisma.turn.count({ where: { agentId: id } });
  return { id, turnsKept };
}

/** Revokes the agent's key without removing the agent: its calls fail with 401 until a new key is issued (rotate). */
export async function revokeAgentKey(db: Db, id: string): Promise<AgentSummary> {
  await requireActiveAgent(db, id);
  const agent = await db.prisma.agent.update({
    where: { id },
    data: { apiKeyHash: null, apiKeyPrefix: null },
    select: summarySelect,
  });
  invalidateGatewayState(); // the key stops working at once in this process
  return toSummary(agent);
}
