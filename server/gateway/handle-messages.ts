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
import { BODY_LIMITS, parseJsonObject, readRequestBody } from "@/server/http/read-request-body";
import { gatewayState, type GatewayState } from "./gateway-state";
import type { GatewayTurn } from "./gateway-turn";
import { holdRequest } from "./hold-request";
import { planTurn } from "./plan-turn";
import { serveClaude } from "./serve-claude";
import { serveLocal } from "./serve-local";
import { budgetSnapshot } from "@/server/budgets/budget-ledger";
import { admitRequest, budgetTurn } from "@/server/budgets/gate-turn";
import { refuseTurn } from "@/server/budgets/refuse-turn";

/** What the x-offload-* headers of an error say, as far as the turn got. */
type Progress = Omit<OffloadOutcome, "reason"> & { reason?: string };

async function authenticateAgent(db: Db, state: GatewayState, request: Request): Promise<CallerAgent> {
  const caller = await authenticateCaller(db, request.headers, { knownAgents: state.agentsByKeyHash });
  if (caller.kind !== "agent") throw new HttpError(401, "authentication_error", "send the agent's Offload key");
  return caller.agent;
}

function parseMessages(bytes: Uint8Array, progress: Progress): MessagesRequest {
  const json = parseJsonObject(bytes, BODY_LIMITS.messages);
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
  let downgraded: string | null = null;
  const answer = await holdRequest(async () => {
    try {
      const t0 = performance.now();
      const startedAt = new Date();
      const db = database ?? (await getDb());
      const state = await gatewayState(db);
      const agent = await authenticateAgent(db, state, request);
      const bytes = await readRequestBody(request, BODY_LIMITS.messages);
      const body = parseMessages(bytes, progress);
      const budgets = await budgetSnapshot(db, Date.now(), agent.id);
      admitRequest(budgets, agent.id); // 429 over the agent's requests per minute
      const planned = planTurn(body, agent, state, request.headers.get("x-offload-task-type")?.trim() || null, {
        userAgent: request.headers.get("user-agent"),
      });
      // Over its daily Claude budget: refused or downgraded to the local model (server/budgets/gate-turn.ts).
      const { plan, refusal, ...budgeted } = budgetTurn(planned, body, agent, state, budgets);
      downgraded = budgeted.downgraded;
      Object.assign(progress, { lane: plan.lane, model: plan.model, reason: plan.reason });
      const turn: GatewayTurn = {
        original: { path: pathOf(request.url), headers: request.headers, bytes },
        signal: request.signal,
        body,
        agent,
        state: budgeted.state,
        plan,
        startedAt,
        t0,
      };
      if (refusal) throw await refuseTurn(turn, refusal);
      return plan.lane === "claude" ? await serveClaude(turn, plan.reason, null) : await serveLocal(turn);
    } catch (err) {
      return errorResponse(err, progress);
    }
  });
  const response =
    answer ??
    errorResponse(new HttpError(529, "overloaded_error", "Offload is shutting down; retry in a moment"), progress);
  if (downgraded) response.headers.set("x-offload-downgraded", downgraded);
  return response;
}
