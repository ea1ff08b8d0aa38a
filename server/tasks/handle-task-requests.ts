// The task queue's REST endpoints, as thin as the route files that call them: authenticate (an
// agent key, or the admin token), read the body through the one size-capped reader, hand off to
// task-queue.ts, answer JSON (errors in Anthropic's shape, naming the field).
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { authenticateCaller, touchAgent, type Caller } from "@/server/agents/authenticate-caller";
import { agentIdSchema } from "@/server/agents/manage-agents";
import { errorResponse } from "@/server/http/error-response";
import { BODY_LIMITS, readJsonBody } from "@/server/http/read-request-body";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { claimNextTask, completeTask, queueTask, readTask } from "./task-queue";

const NO_STORE = { "cache-control": "no-store" };

async function withCaller(
  request: Request,
  database: Db | undefined,
  fn: (db: Db, caller: Caller) => Promise<Response>,
): Promise<Response> {
  try {
    const db = database ?? (await getDb());
    const caller = await authenticateCaller(db, request.headers, { allowAdmin: true });
    const response = await fn(db, caller);
    if (caller.kind === "agent") await touchAgent(db, caller.agentId);
    return response;
  } catch (err) {
    return errorResponse(err, { lane: "none", model: "none" });
  }
}

/** POST /api/v1/tasks: {title, description?, taskType?, agent?, payload?, priority?} -> 201 the queued task. */
export function handleQueueTask(request: Request, database?: Db): Promise<Response> {
  return withCaller(request, database, async (db, caller) => {
    const task = await queueTask(db, await readJsonBody(request, BODY_LIMITS.tasks), caller);
    return Response.json(task, {
      status: 201,
      headers: {
        ...NO_STORE,
        ...offloadHeaders({ lane: task.lane, model: task.model ?? "none", reason: task.reason }),
      },
    });
  });
}

/** GET /api/v1/tasks/next?agent=ID[&lease=S]: 200 the claimed task, or 204 when the queue has none for the agent. */
export function handleClaimNextTask(request: Request, database?: Db): Promise<Response> {
  return withCaller(request, database, async (db, caller) => {
    const params = new URL(request.url).searchParams;
    const named = params.get("agent");
    if (caller.kind === "agent" && named && named !== caller.agentId)
      throw new OffloadError("FORBIDDEN", `this key belongs to agent ${caller.agentId}, not ${named}`, "agent");
    const parsed = agentIdSchema.safeParse(named ?? (caller.kind === "agent" ? caller.agentId : ""));
    if (!parsed.success) throw new OffloadError("BAD_REQUEST", `agent: ${parsed.error.issues[0]!.message}`, "agent");
    const lease = params.get("lease");
    const task = await claimNextTask(db, {
      agentId: parsed.data,
      ...(lease === null ? {} : { leaseSeconds: Number(lease) }),
    });
    if (!task) return new Response(null, { status: 204, headers: NO_STORE });
    return Response.json(task, { headers: NO_STORE });
  });
}

/** POST /api/v1/tasks/:id/complete: {status, result?, error?, turns?, executedBy?, escalated?} -> 200 the task. */
export function handleCompleteTask(request: Request, id: string, database?: Db): Promise<Response> {
  return withCaller(request, database, async (db, caller) => {
    const task = await completeTask(db, id, await readJsonBody(request, BODY_LIMITS.tasks), caller);
    return Response.json(task, { headers: NO_STORE });
  });
}

/** GET /api/v1/tasks/:id -> {id, status, lane, model, taskType, result, error, ...}. */
export function handleReadTask(request: Request, id: string, database?: Db): Promise<Response> {
  return withCaller(request, database, async (db, caller) =>
    Response.json(await readTask(db, id, caller), { headers: NO_STORE }),
  );
}
