// POST /v1/messages: read the agent's request, authenticate it, plan the turn (lane and model),
// serve it on Claude (the request forwarded as sent) or on the local model, and answer in the
// Anthropic Messages shape with the x-offload-* headers, errors included. Turns are metered and
// recorded after the answer, never on the agent's time.
import "server-only";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { messagesRequestSchema, type MessagesRequest } from "@/server/core/gateway/messages-request";
import type { OffloadOutcome } from "@/server/core/gateway/offload-headers";
import { authenticateCaller, type CallerAgent } from "@/server/agents/authenticate-caller";
import { errorResponse } from "@/server/http/error-response";
import { HttpError } from "@/server/http/http-error";
import { parseJsonObject, readRequestBody } from "@/server/http/read-request-body";
import { gatewayState, type GatewayState } from "./gateway-state";
import type { GatewayTurn } from "./gateway-turn";
import { holdRequest } from "./hold-request";
import { planTurn } from "./plan-turn";
import { serveClaude } from "./serve-claude";
import { serveLocal } from "./serve-local";

/** What the x-offload-* headers of an error say, as far as the turn got. */
type Progress = Omit<OffloadOutcome, "reason"> & { reason?: string };

async function authenticateAgent(db: Db, state: GatewayState, request: Request): Promise<CallerAgent> {
  const caller = await authenticateCaller(db, request.headers, { knownAgents: state.agentsByKeyHash });
  if (caller.kind !== "agent") throw new HttpError(401, "authentication_error", "send the agent's Offload key");
  return caller.agent;
}

function parseMessages(bytes: Uint8Array, progress: Progress): MessagesRequest {
  const json = parseJsonObject(bytes);
  if (typeof json.model === "string") progress.model = json.model;
  return messagesRequestSchema.parse(json) as MessagesRequest;
}

/** Path and query exactly as the agent sent them. */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export async function handleMessages(request: Request, database?: Db): Promise<Response> {
  const progress: Progress = { lane: "none", model: "none" };
  const answer = await holdRequest(async () => {
    try {
      const t0 = performance.now();
      const startedAt = new Date();
      const db = database ?? (await getDb());
      const state = await gatewayState(db);
      const agent = await authenticateAgent(db, state, request);
      const bytes = await readRequestBody(request);
      const body = parseMessages(bytes, progress);
      const plan = planTurn(body, agent, state, request.headers.get("x-offload-task-type")?.trim() || null, {
        userAgent: request.headers.get("user-agent"),
      });
      Object.assign(progress, { lane: plan.lane, model: plan.model, reason: plan.reason });
      const turn: GatewayTurn = {
        original: { path: pathOf(request.url), headers: request.headers, bytes },
        signal: request.signal,
        body,
        agent,
        state,
        plan,
        startedAt,
        t0,
      };
      return plan.lane === "claude" ? await serveClaude(turn, plan.reason, null) : await serveLocal(turn);
    } catch (err) {
      return errorResponse(err, progress);
    }
  });
  return (
    answer ??
    errorResponse(new HttpError(529, "overloaded_error", "Offload is shutting down; retry in a moment"), progress)
  );
}
