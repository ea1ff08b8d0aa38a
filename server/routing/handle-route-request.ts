// POST /api/v1/route: {agent, taskType?, title?, description?} -> {tier, lane, model, taskType, confidence, reason}.
// An agent's key may only ask for itself (and stands for it when `agent` is left out).
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { authenticateCaller, touchAgent } from "@/server/agents/authenticate-caller";
import { errorResponse } from "@/server/http/error-response";
import { BODY_LIMITS, readJsonBody } from "@/server/http/read-request-body";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { decideRouteFor, routeRequestSchema, toPublicDecision } from "./decide-routes";

export async function handleRouteRequest(request: Request, database?: Db): Promise<Response> {
  try {
    const db = database ?? (await getDb());
    const caller = await authenticateCaller(db, request.headers, { allowAdmin: true });
    const body = await readJsonBody(request, BODY_LIMITS.route);
    const input = routeRequestSchema.parse(body);
    if (caller.kind === "agent") {
      if (input.agent && input.agent !== caller.agentId) {
        throw new OffloadError("FORBIDDEN", `this key belongs to agent ${caller.agentId}, not ${input.agent}`, "agent");
      }
      input.agent = caller.agentId;
    }
    const decision = await decideRouteFor(db, input);
    if (caller.kind === "agent") await touchAgent(db, caller.agentId);
    const answer = toPublicDecision(decision);
    return Response.json(answer, {
      headers: {
        "cache-control": "no-store",
        ...offloadHeaders({ lane: answer.lane, model: answer.model ?? "none", reason: answer.reason }),
      },
    });
  } catch (err) {
    return errorResponse(err, { lane: "none", model: "none" });
  }
}
