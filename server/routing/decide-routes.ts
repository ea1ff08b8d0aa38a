// Routing decisions against the live state: the agents' pins, the task types' current lanes, the
// settings and Ollama's latest health verdict. One query of each per batch; the decision itself is
// server/core's decideRoute.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { readSettings } from "@/server/db/settings";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { classifyTask, type ClassifierTaskType } from "@/server/core/classifier/classify-task";
import { readOllamaHealth } from "@/server/health/read-ollama-health";
import {
  decideRoute,
  RouteError,
  type RouteAgent,
  type RouteContext,
  type RouteDecision,
  type RouteInput,
} from "@/server/core/routing/decide-route";
import type { Settings } from "@/server/core/settings-defaults";

export const routeRequestSchema = z.object({
  agent: agentIdSchema.optional().nullable(),
  taskType: z.string().trim().min(1, "taskType must not be empty").max(100).optional().nullable(),
  title: z.string().max(20_000, "title must be at most 20,000 characters").optional().nullable(),
  description: z.string().max(200_000, "description must be at most 200,000 characters").optional().nullable(),
});
export type RouteRequest = z.infer<typeof routeRequestSchema>;

/** The public decision: exactly the fields DESIGN.md names. */
export type PublicRouteDecision = Pick<RouteDecision, "tier" | "lane" | "model" | "taskType" | "confidence" | "reason">;

export function toPublicDecision(d: RouteDecision): PublicRouteDecision {
  return {
    tier: d.tier,
    lane: d.lane,
    model: d.model,
    taskType: d.taskType,
    confidence: d.confidence,
    reason: d.reason,
  };
}

type SharedContext = Omit<RouteContext, "agent">;

function routeSettings(s: Settings): RouteContext["settings"] {
  return {
    defaultLocalModel: s.defaultLocalModel,
    defaultClaudeModel: s.defaultClaudeModel,
    escalateWhenLocalDown: s.escalateWhenLocalDown,
    carefulToClaudeWhenDegraded: s.carefulToClaudeWhenDegraded,
    classifierMinConfidence: s.classifierMinConfidence,
  };
}

async function loadShared(db: Db): Promise<SharedContext> {
  const [taskTypes, settings, health] = await Promise.all([
    db.prisma.taskType.findMany({
      select: { id: true, name: true, lane: true, examples: true },
      orderBy: { id: "asc" },
    }),
    readSettings(db),
    readOllamaHealth(db),
  ]);
  return {
    taskTypes: taskTypes satisfies ClassifierTaskType[],
    classify: classifyTask,
    health,
    settings: routeSettings(settings),
  };
}

async function loadAgents(db: Db, ids: string[]): Promise<Map<string, RouteAgent>> {
  if (ids.length === 0) return new Map();
  const rows = await db.prisma.agent.findMany({
    where: { id: { in: [...new Set(ids)] }, removedAt: null },
    select: { id: true, pin: true, localModel: true, claudeModel: true },
  });
  return new Map(rows.map((a) => [a.id, a]));
}

function decideOne(input: RouteInput, shared: SharedContext, agents: Map<string, RouteAgent>): RouteDecision {
  const agent = input.agentId ? agents.get(input.agentId) : null;
  if (input.agentId && !agent) throw new OffloadError("NOT_FOUND", `no agent ${input.agentId}`, "agent");
  try {
    return decideRoute(input, { ...shared, agent: agent ?? null });
  } catch (err) {
    if (err instanceof RouteError) {
      throw new OffloadError(err.code === "unknown_task_type" ? "BAD_REQUEST" : "UNAVAILABLE", err.message, err.field);
    }
    throw err;
  }
}

const toInput = (r: RouteRequest): RouteInput => ({
  agentId: r.agent ?? null,
  taskType: r.taskType ?? null,
  title: r.title ?? null,
  description: r.description ?? null,
});

/** One decision; throws OffloadError naming the field for bad input. */
export async function decideRouteFor(db: Db, request: RouteRequest): Promise<RouteDecision> {
  const [shared, agents] = await Promise.all([loadShared(db), loadAgents(db, request.agent ? [request.agent] : [])]);
  return decideOne(toInput(request), shared, agents);
}

export type BatchRouteResult = { decision: PublicRouteDecision } | { error: string; field: string | null };

/** Many decisions against one snapshot of the state; a bad item gets its error and the rest go on. */
export async function decideRoutes(db: Db, requests: RouteRequest[]): Promise<BatchRouteResult[]> {
  const ids = requests.map((r) => r.agent).filter((id): id is string => !!id);
  const [shared, agents] = await Promise.all([loadShared(db), loadAgents(db, ids)]);
  return requests.map((r) => {
    try {
      return { decision: toPublicDecision(decideOne(toInput(r), shared, agents)) };
    } catch (err) {
      if (err instanceof OffloadError)
        return { error: err.field ? `${err.field}: ${err.message}` : err.message, field: err.field ?? null };
      throw err;
    }
  });
}
