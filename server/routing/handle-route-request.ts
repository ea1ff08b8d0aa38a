// POST /api/v1/route: {agent, taskType?, title?, description?} -> {tier, lane, model, taskType, confidence, reason}.
// An agent's key may only ask for itself (and stands for it when `agent` is left out).
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { authenticateCaller, touchAgent } from "@/server/agents/authenticate-caller";
import { errorResponse, readJsonBody } from "@/server/http/error-response";
import { decideRouteFor, routeRequestSchema, toPublicDecision } from "./decide-routes";

export async function handleRouteRequest(request: Request, database?: Db): Promise<Response> {
  try {
    const db = database ?? (await getDb());
    const caller = await authenticateCaller(db, request.headers);
    const body = await readJsonBody(request);
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new OffloadError("BAD_REQUEST", "the request body must be a JSON object");
    const input = routeRequestSchema.parse(body);
    if (caller.kind === "agent") {
      if (input.agent && input.agent !== caller.agentId) {
        throw new OffloadError("FORBIDDEN", `this key belongs to agent ${caller.agentId}, not ${input.agent}`, "agent");
      }
      input.agent = caller.agentId;
    }
    const decision = await decideRouteFor(db, input);
    if (caller.kind === "agent") await touchAgent(db, caller.agentId);
    return Response.json(toPublicDecision(decision), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
