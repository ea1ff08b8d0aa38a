// The task queue (routing option B): a task is routed when it is queued (tier, lane, model, as
// POST /api/v1/route decides), claimed by one agent at a time (`FOR UPDATE SKIP LOCKED`: two
// claimers never get the same task; a claim that is not completed in time expires and the task goes
// back to the queue), and completed once (repeating the same completion is answered, not applied
// twice). A payload naming a sidecar action makes a Tier 0 task whatever its text says; the
// sidecar's own work is recorded as a zero-token turn (lane sidecar, cost 0, with the Claude cost it
// avoided estimated from the task type's average), so the savings count it.
import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { Prisma } from "@/server/db/generated/client";
import { OffloadError } from "@/server/core/errors";
import { LANE_TIER, type Lane } from "@/server/core/lanes";
import {
  namesSidecarAction,
  sidecarActionSchema,
  taskTypeOfAction,
  type SidecarActionName,
} from "@/server/core/tasks/sidecar-actions";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { decideRouteFor } from "@/server/routing/decide-routes";
import { enqueueTurns } from "@/server/gateway/turn-writer";
import type { Caller } from "@/server/agents/authenticate-caller";

export { TASK_STATUSES, type TaskStatus } from "@/server/core/tasks/task-statuses";
import type { TaskStatus } from "@/server/core/tasks/task-statuses";

/** How long a claim lasts unless the claimer asks otherwise (`lease`, seconds). */
export const DEFAULT_LEASE_SECONDS = 300;

export const queueTaskInput = z.object({
  title: z
    .string({ error: "a title (text)" })
    .trim()
    .min(1, "a title is required")
    .max(20_000, "at most 20,000 characters"),
  description: z.string().max(200_000, "at most 200,000 characters").optional().nullable(),
  taskType: z.string().trim().min(1, "must not be empty").max(100).optional().nullable(),
  agent: agentIdSchema.optional().nullable(),
  payload: z.unknown().optional(),
  priority: z
    .number({ error: "a whole number (higher first)" })
    .int("a whole number (higher first)")
    .min(-1_000_000)
    .max(1_000_000)
    .optional(),
});
export type QueueTaskInput = z.input<typeof queueTaskInput>;

export const completeTaskInput = z
  .object({
    status: z.enum(["done", "failed"], { error: "done or failed" }),
    result: z.unknown().optional(),
    error: z.string().max(20_000, "at most 20,000 characters").optional().nullable(),
    turns: z.number().int("a whole number").min(0).max(100_000).optional(),
    executedBy: z.enum(["sidecar", "agent"], { error: "sidecar or agent" }).optional(),
    escalated: z.boolean().optional(),
  })
  .refine((c) => c.status === "done" || !!c.error, { message: "a failed task needs an error", path: ["error"] });
export type CompleteTaskInput = z.input<typeof completeTaskInput>;

/** A task as the API answers it. */
export type TaskView = {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  tier: number;
  lane: Lane;
  model: string | null;
  taskType: string | null;
  confidence: number | null;
  reason: string;
  agent: string | null;
  payload: unknown;
  priority: number;
  result: unknown;
  error: string | null;
  claimedBy: string | null;
  claimExpiresAt: string | null;
  attempts: number;
  executedBy: string | null;
  escalated: boolean;
  turnsUsed: number;
  turnId: string | null;
  createdAt: string;
  completedAt: string | null;
};

/** What a claimer gets: the task, and the model its agent would ask the gateway for. */
export type ClaimedTask = {
  id: string;
  title: string;
  description: string;
  taskType: string | null;
  lane: Lane;
  model: string | null;
  agentModel: string;
  payload: unknown;
  priority: number;
  attempt: number;
  claimExpiresAt: string;
};

type TaskRow = {
  id: string;
  title: string;
  description: string;
  taskTypeId: string | null;
  agentId: string | null;
  payload: unknown;
  priority: number;
  status: TaskStatus;
  tier: number;
  lane: Lane;
  model: string | null;
  confidence: number | null;
  reason: string;
  result: unknown;
  error: string | null;
  claimedBy: string | null;
  claimExpiresAt: Date | null;
  attempts: number;
  executedBy: string | null;
  escalated: boolean;
  turnsUsed: number;
  turnId: string | null;
  createdAt: Date;
  completedAt: Date | null;
};

/** A Date as Postgres's timestamp(3) takes it (UTC wall clock, as Prisma stores it). */
const wallClock = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
/** A timestamp(3) read by raw SQL (a Date, or the wall-clock text) as an instant. */
const instant = (v: Date | string | null): Date | null =>
  v === null ? null : v instanceof Date ? v : new Date(`${v.replace(" ", "T")}Z`);

export function toTaskView(t: TaskRow): TaskView {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    status: t.status,
    tier: t.tier,
    lane: t.lane,
    model: t.model,
    taskType: t.taskTypeId,
    confidence: t.confidence,
    reason: t.reason,
    agent: t.agentId,
    payload: t.payload ?? null,
    priority: t.priority,
    result: t.result ?? null,
    error: t.error,
    claimedBy: t.claimedBy,
    claimExpiresAt: t.claimExpiresAt?.toISOString() ?? null,
    attempts: t.attempts,
    executedBy: t.executedBy,
    escalated: t.escalated,
    turnsUsed: t.turnsUsed,
    turnId: t.turnId,
    createdAt: t.createdAt.toISOString(),
    completedAt: t.completedAt?.toISOString() ?? null,
  };
}

/** The agent a caller acts for: an agent key stands for its own agent only; the admin names any (or none). */
function agentFor(caller: Caller, named: string | null | undefined): string | null {
  if (caller.kind === "agent") {
    if (named && named !== caller.agentId)
      throw new OffloadError("FORBIDDEN", `this key belongs to agent ${caller.agentId}, not ${named}`, "agent");
    return caller.agentId;
  }
  return named ?? null;
}

/** Routes and queues a task. A payload naming a sidecar action must be a valid action (400 naming its field). */
export async function queueTask(db: Db, raw: unknown, caller: Caller): Promise<TaskView> {
  const input = queueTaskInput.parse(raw);
  const agentId = agentFor(caller, input.agent);
  if (agentId) {
    const agent = await db.prisma.agent.findUnique({ where: { id: agentId }, select: { removedAt: true } });
    if (!agent || agent.removedAt) throw new OffloadError("NOT_FOUND", `no agent ${agentId}`, "agent");
  }
  let action: SidecarActionName | null = null;
  if (namesSidecarAction(input.payload)) {
    const parsed = sidecarActionSchema.safeParse(input.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = ["payload", ...issue.path.map(String)].join(".");
      throw new OffloadError("BAD_REQUEST", `${field}: ${issue.message}`, field);
    }
    action = parsed.data.action;
    // A script runs in one agent's work dir, by that agent's sidecar: never "whichever claims it first".
    if (!agentId)
      throw new OffloadError(
        "BAD_REQUEST",
        "agent: a sidecar action runs in one agent's work dir; name the agent",
        "agent",
      );
  }
  const decision =
    action && !input.taskType
      ? {
          tier: LANE_TIER.sidecar,
          lane: "sidecar" as const,
          model: null,
          taskType: taskTypeOfAction(action),
          confidence: 1,
          reason: `sidecar action ${action}: a script, no model`,
        }
      : await decideRouteFor(db, {
          agent: agentId,
          taskType: input.taskType ?? null,
          title: input.title,
          description: input.description ?? null,
        });
  const row = await db.prisma.task.create({
    data: {
      title: input.title,
      description: input.description ?? "",
      taskTypeId: decision.taskType,
      agentId,
      ...(input.payload === undefined ? {} : { payload: input.payload as object }),
      priority: input.priority ?? 0,
      tier: decision.tier,
      lane: decision.lane,
      model: decision.model,
      confidence: decision.confidence,
      reason: decision.reason,
    },
  });
  return toTaskView(row as TaskRow);
}

/** Claims the next task for an agent (its own and the unassigned ones, by priority then age), or null when there is none. */
export async function claimNextTask(
  db: Db,
  input: { agentId: string; leaseSeconds?: number },
  now: Date = new Date(),
): Promise<ClaimedTask | null> {
  const lease = input.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(lease) || lease < 5 || lease > 86_400)
    throw new OffloadError("BAD_REQUEST", "lease: whole seconds from 5 to 86,400", "lease");
  const agent = await db.prisma.agent.findUnique({
    where: { id: input.agentId },
    select: { claudeModel: true, removedAt: true },
  });
  if (!agent || agent.removedAt) throw new OffloadError("NOT_FOUND", `no agent ${input.agentId}`, "agent");
  const rows = await db.sql.query<TaskRow & { claimExpiresAt: Date | string }>(
    `update "Task" as t
        set "status" = 'claimed', "claimedBy" = $1, "claimedAt" = $2::timestamp(3),
            "claimExpiresAt" = $3::timestamp(3), "attempts" = t."attempts" + 1, "updatedAt" = $2::timestamp(3)
      where t."id" = (
        select "id" from "Task"
         where ("status" = 'queued' or ("status" = 'claimed' and "claimExpiresAt" < $2::timestamp(3)))
           and ("agentId" = $1 or "agentId" is null)
         order by "priority" desc, "createdAt" asc, "id" asc
         for update skip locked
         limit 1)
      returning t."id", t."title", t."description", t."taskTypeId", t."lane", t."model", t."payload", t."priority",
                t."attempts", t."claimExpiresAt"`,
    [input.agentId, wallClock(now), wallClock(new Date(now.getTime() + lease * 1000))],
  );
  const t = rows[0];
  if (!t) return null;
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    taskType: t.taskTypeId,
    lane: t.lane,
    model: t.model,
    agentModel: agent.claudeModel,
    payload: t.payload ?? null,
    priority: t.priority,
    attempt: t.attempts,
    claimExpiresAt: instant(t.claimExpiresAt)!.toISOString(),
  };
}

/** What the sidecar's script saved: the task type's average Claude cost per turn over 30 days (else the fleet's). */
async function avoidedClaudeCost(db: Db, taskTypeId: string | null): Promise<bigint> {
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const rows = await db.sql.query<{ scope: string; cf: string | null; turns: string | null }>(
    `select case when "taskTypeId" = $1 then 'type' else 'fleet' end as scope,
            sum("counterfactualMicroUsd")::text as cf, sum("turns")::text as turns
       from "DailyUsage" where "day" >= $2::date and "lane" <> 'sidecar' group by 1`,
    [taskTypeId, since],
  );
  for (const scope of ["type", "fleet"]) {
    const r = rows.find((x) => x.scope === scope);
    if (r && r.turns && BigInt(r.turns) > 0n && r.cf) return BigInt(r.cf) / BigInt(r.turns);
  }
  return 0n;
}

/** Completes a claimed task once; the same completion again is answered as it was. Sidecar work becomes a zero-token turn. */
export async function completeTask(
  db: Db,
  id: string,
  raw: unknown,
  caller: Caller,
  now: Date = new Date(),
): Promise<TaskView> {
  const input = completeTaskInput.parse(raw);
  const task = await db.prisma.task.findUnique({ where: { id } });
  if (!task) throw new OffloadError("NOT_FOUND", `no task ${id}`, "id");
  if (caller.kind === "agent" && task.claimedBy !== caller.agentId)
    throw new OffloadError(
      "CONFLICT",
      task.claimedBy
        ? `task ${id} is claimed by ${task.claimedBy}, not ${caller.agentId}`
        : `task ${id} is not claimed; claim it first (GET /api/v1/tasks/next)`,
      "id",
    );
  if (task.status === input.status) return toTaskView(task as TaskRow); // the same completion again
  if (task.status !== "claimed")
    throw new OffloadError("CONFLICT", `task ${id} is ${task.status}; it cannot be completed again`, "status");

  const executedBy = input.executedBy ?? "agent";
  const sidecarWork = executedBy === "sidecar" && !input.escalated && input.status === "done";
  const turnId = sidecarWork ? crypto.randomUUID() : null;
  const updated = await db.prisma.task.updateMany({
    where: { id, status: "claimed", claimedBy: task.claimedBy },
    data: {
      status: input.status,
      ...(input.result === undefined ? {} : { result: input.result as object }),
      error: input.status === "failed" ? (input.error ?? null) : null,
      turnsUsed: input.turns ?? (sidecarWork ? 0 : 1),
      executedBy,
      escalated: input.escalated ?? false,
      turnId,
      completedAt: now,
    },
  });
  if (updated.count === 0) {
    // Another completion won the race: answer with what it stored, or refuse a different one.
    const current = await db.prisma.task.findUniqueOrThrow({ where: { id } });
    if (current.status === input.status) return toTaskView(current as TaskRow);
    throw new OffloadError("CONFLICT", `task ${id} is ${current.status}; it cannot be completed again`, "status");
  }
  if (sidecarWork && task.claimedBy) {
    const agent = await db.prisma.agent.findUnique({ where: { id: task.claimedBy }, select: { claudeModel: true } });
    const action = namesSidecarAction(task.payload) ? (task.payload as { action: string }).action : task.taskTypeId;
    await enqueueTurns({
      id: turnId!,
      agentId: task.claimedBy,
      taskTypeId: task.taskTypeId,
      lane: "sidecar",
      requestedModel: agent?.claudeModel ?? "none",
      servedModel: "sidecar",
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      latencyMs: task.claimedAt ? Math.max(0, now.getTime() - task.claimedAt.getTime()) : 0,
      generationMs: null,
      loadMs: null,
      status: "ok",
      escalatedFromTurnId: null,
      reason: `sidecar: ${action ?? "task"} run as a script, no model (task ${id})`,
      errorMessage: null,
      costMicroUsd: 0n,
      counterfactualMicroUsd: await avoidedClaudeCost(db, task.taskTypeId),
      source: "sidecar",
      startedAt: task.claimedAt ?? now,
    });
  }
  return toTaskView((await db.prisma.task.findUniqueOrThrow({ where: { id } })) as TaskRow);
}

/** One task; an agent key sees its own and the unassigned ones. */
export async function readTask(db: Db, id: string, caller: Caller): Promise<TaskView> {
  const task = await db.prisma.task.findUnique({ where: { id } });
  const visible =
    task &&
    (caller.kind === "admin" ||
      task.agentId === null ||
      task.agentId === caller.agentId ||
      task.claimedBy === caller.agentId);
  if (!task || !visible) throw new OffloadError("NOT_FOUND", `no task ${id}`, "id");
  return toTaskView(task as TaskRow);
}

/** Puts a failed, cancelled or claimed task back in the queue (the operator's re-queue). */
export async function requeueTask(db: Db, id: string): Promise<TaskView> {
  const updated = await db.prisma.task.updateMany({
    where: { id, status: { in: ["failed", "cancelled", "claimed"] } },
    data: {
      status: "queued",
      claimedBy: null,
      claimedAt: null,
      claimExpiresAt: null,
      error: null,
      completedAt: null,
      result: Prisma.DbNull,
      executedBy: null,
      escalated: false,
      turnsUsed: 0,
      turnId: null,
    },
  });
  const task = await db.prisma.task.findUnique({ where: { id } });
  if (!task) throw new OffloadError("NOT_FOUND", `no task ${id}`, "id");
  if (updated.count === 0)
    throw new OffloadError(
      "CONFLICT",
      `task ${id} is ${task.status}: only a failed, cancelled or claimed task goes back to the queue`,
      "id",
    );
  return toTaskView(task as TaskRow);
}

/** Cancels a queued or claimed task (a claimer's later completion is then refused). */
export async function cancelTask(db: Db, id: string, now: Date = new Date()): Promise<TaskView> {
  const updated = await db.prisma.task.updateMany({
    where: { id, status: { in: ["queued", "claimed"] } },
    data: { status: "cancelled", completedAt: now },
  });
  const task = await db.prisma.task.findUnique({ where: { id } });
  if (!task) throw new OffloadError("NOT_FOUND", `no task ${id}`, "id");
  if (updated.count === 0)
    throw new OffloadError(
      "CONFLICT",
      `task ${id} is ${task.status}: only a queued or claimed task can be cancelled`,
      "id",
    );
  return toTaskView(task as TaskRow);
}
