// Adding, listing, re-keying and removing agents, and their limits (a daily Claude budget in
// dollars, requests per minute, and what happens over budget: see server/budgets/gate-turn.ts). A
// removed agent keeps its history (turns, costs) but loses its key at once; adding the same id again
// brings it back with a new key.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { PINS } from "@/server/core/lanes";
import { issueAgentKey } from "./agent-key";
import { readSettings } from "@/server/db/settings";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { OVER_BUDGET_ACTIONS, usdToMicroUsd } from "@/server/core/budgets/budget-rules";
import { microUsdToNumber } from "@/server/core/money";
import { invalidateBudgets } from "@/server/budgets/budget-ledger";
import { readTurnsRetainedFrom } from "@/server/db/turns-retained-from";
import { utcDay } from "@/server/core/turn-record";

export const agentIdSchema = z
  .string()
  .trim()
  .min(1, "agent id is required")
  .max(63, "agent id must be at most 63 characters")
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    "agent id must be a slug: lowercase letters, digits and inner hyphens (e.g. worker-1)",
  );

/** An agent's limits as the admin API takes them; null removes a budget or a rate limit. */
export const agentLimitsInput = z.object({
  dailyBudgetUsd: z
    .number({ error: "a daily Claude budget in USD (a number), or null for none" })
    .min(0, "a daily Claude budget is at least 0 USD (0: no Claude at all)")
    .max(1_000_000, "a daily Claude budget is at most 1,000,000 USD")
    .nullable()
    .optional(),
  requestsPerMinute: z
    .number({ error: "requests per minute (a whole number), or null for no limit" })
    .int("requests per minute is a whole number")
    .min(1, "at least 1 request per minute (null: no limit)")
    .max(100_000, "at most 100,000 requests per minute")
    .nullable()
    .optional(),
  overBudget: z
    .enum(OVER_BUDGET_ACTIONS, { error: `over budget: one of ${OVER_BUDGET_ACTIONS.join(", ")}` })
    .optional(),
});

export const addAgentInput = z.object({
  id: agentIdSchema,
  name: z.string().trim().min(1).max(120).optional(),
  role: z.string().trim().max(200).optional(),
  pin: z.enum(PINS).optional(),
  localModel: z.string().trim().min(1).max(200).optional(),
  claudeModel: z.string().trim().min(1).max(200).optional(),
  heartbeatMinutes: z
    .number()
    .int()
    .min(0, "heartbeat minutes: 0 (no recurring heartbeat) or more")
    .max(1440, "heartbeat minutes: at most 1440 (one a day)")
    .optional(),
  activeHours: z.number().min(0.5).max(24).optional(),
  /** The primary model when it is neither local nor Claude, as the agent's framework names it. */
  externalModel: z.string().trim().min(1).max(200).nullable().optional(),
  ...agentLimitsInput.shape,
});
export type AddAgentInput = z.input<typeof addAgentInput>;

export const updateAgentLimitsInput = agentLimitsInput.extend({ id: agentIdSchema });
export type UpdateAgentLimitsInput = z.input<typeof updateAgentLimitsInput>;

export type AgentSummary = {
  id: string;
  name: string;
  role: string;
  pin: (typeof PINS)[number];
  localModel: string;
  claudeModel: string;
  heartbeatMinutes: number;
  activeHours: number;
  /** The primary model when it is neither local nor Claude ("openai/gpt-5.4", from an OpenClaw import). */
  externalModel: string | null;
  keyPrefix: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
};

/** An agent's limits as the admin API shows them. */
export type AgentLimitsSummary = {
  /** Daily Claude budget, USD (UTC day); null: none. */
  dailyBudgetUsd: number | null;
  /** Requests per minute through the gateway; null: no limit. */
  requestsPerMinute: number | null;
  overBudget: (typeof OVER_BUDGET_ACTIONS)[number];
};

/** What the agents API answers: the agent and its limits. */
export type AgentListing = AgentSummary & AgentLimitsSummary;

const summarySelect = {
  id: true,
  name: true,
  role: true,
  pin: true,
  localModel: true,
  claudeModel: true,
  heartbeatMinutes: true,
  activeHours: true,
  externalModel: true,
  apiKeyPrefix: true,
  createdAt: true,
  lastSeenAt: true,
  dailyBudgetMicroUsd: true,
  requestsPerMinute: true,
  overBudget: true,
} as const;

type SummaryRow = { apiKeyPrefix: string | null; dailyBudgetMicroUsd: bigint | null } & Omit<
  AgentListing,
  "keyPrefix" | "dailyBudgetUsd"
>;

function toSummary(a: SummaryRow): AgentListing {
  const { apiKeyPrefix, dailyBudgetMicroUsd, ...rest } = a;
  return {
    ...rest,
    keyPrefix: apiKeyPrefix,
    dailyBudgetUsd: dailyBudgetMicroUsd === null ? null : microUsdToNumber(dailyBudgetMicroUsd),
  };
}

/** The limits given (and only those) as Agent columns. */
function limitColumns(input: z.infer<typeof agentLimitsInput>) {
  return {
    ...(input.dailyBudgetUsd !== undefined
      ? { dailyBudgetMicroUsd: input.dailyBudgetUsd === null ? null : usdToMicroUsd(input.dailyBudgetUsd) }
      : {}),
    ...(input.requestsPerMinute !== undefined ? { requestsPerMinute: input.requestsPerMinute } : {}),
    ...(input.overBudget !== undefined ? { overBudget: input.overBudget } : {}),
  };
}

export async function addAgent(db: Db, input: AddAgentInput): Promise<{ agent: AgentListing; key: string }> {
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
    externalModel: data.externalModel ?? null,
    apiKeyHash: issued.hash,
    apiKeyPrefix: issued.prefix,
    keyRotatedAt: new Date(),
    // An agent added back starts without the limits it had before, unless given.
    dailyBudgetMicroUsd: null,
    requestsPerMinute: null,
    overBudget: "refuse" as const,
    ...limitColumns(data),
  };
  const agent = existing
    ? await db.prisma.agent.update({
        where: { id: data.id },
        data: { ...fields, removedAt: null },
        select: summarySelect,
      })
    : await db.prisma.agent.create({ data: { id: data.id, ...fields }, select: summarySelect });
  invalidateBudgets();
  return { agent: toSummary(agent), key: issued.key };
}

/** Sets an agent's daily Claude budget, requests per minute or over-budget action (those given); the next turn follows. */
export async function updateAgentLimits(db: Db, input: UpdateAgentLimitsInput): Promise<AgentListing> {
  const data = updateAgentLimitsInput.parse(input);
  await requireActiveAgent(db, data.id);
  const agent = await db.prisma.agent.update({
    where: { id: data.id },
    data: limitColumns(data),
    select: summarySelect,
  });
  invalidateBudgets();
  return toSummary(agent);
}

export async function listAgents(db: Db): Promise<AgentListing[]> {
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

export async function rotateAgentKey(db: Db, id: string): Promise<{ agent: AgentListing; key: string }> {
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

export type RemovedAgent = {
  id: string;
  /** Its raw turns still kept (since turnsRetainedFrom, with a retention period); its daily totals stay whatever their age. */
  turnsKept: number;
  /** The day raw turns are kept from (YYYY-MM-DD), when older ones were retired; null: every turn is kept. */
  turnsRetainedFrom: string | null;
};

export async function removeAgent(db: Db, id: string): Promise<RemovedAgent> {
  await requireActiveAgent(db, id);
  await db.prisma.agent.update({
    where: { id },
    data: { removedAt: new Date(), apiKeyHash: null, apiKeyPrefix: null },
  });
  invalidateGatewayState(); // the key stops working at once in this process
  const retainedFrom = await readTurnsRetainedFrom(db);
  const turnsKept = await db.prisma.turn.count({
    where: { agentId: id, ...(retainedFrom ? { startedAt: { gte: retainedFrom } } : {}) },
  });
  return { id, turnsKept, turnsRetainedFrom: retainedFrom ? utcDay(retainedFrom) : null };
}

/** Revokes the agent's key without removing the agent: its calls fail with 401 until a new key is issued (rotate). */
export async function revokeAgentKey(db: Db, id: string): Promise<AgentListing> {
  await requireActiveAgent(db, id);
  const agent = await db.prisma.agent.update({
    where: { id },
    data: { apiKeyHash: null, apiKeyPrefix: null },
    select: summarySelect,
  });
  invalidateGatewayState(); // the key stops working at once in this process
  return toSummary(agent);
}
