// The gateway's budget and rate checks, before anything is sent to a model.
//
// Requests per minute: every /v1/messages request of an agent with a limit takes a place in its
// sliding one-minute window; with none free it gets Anthropic's 429 (rate_limit_error) with
// retry-after, and nothing is recorded.
//
// Daily Claude budget: decided before the turn goes to Claude, when its cost is not known yet, so
// an agent is over budget once today's spend has reached it; the turn that crosses the budget is
// served (one turn, or as many as are in flight at once, can overshoot). An over-budget agent's
// Claude-lane turn is then, per the agent's `overBudget`:
// - refuse: Anthropic's 429 (rate_limit_error) naming the budget and today's spend, with retry-after
//   to the next UTC midnight; the turn is recorded as refused, nothing reaches Claude;
// - downgrade: served by the agent's local model on the local lane, with `x-offload-downgraded:
//   budget` and the reason saying so, without escalation to Claude should the local model fail.
//   A turn the local model cannot serve (Ollama down, a request it cannot be given, a prompt over
//   its context) is refused as above, whatever the agent's pin.
// Its local-lane turns are served without a way to Claude: no escalation when Ollama fails, and a
// Local-with-care answer is not checked (a failed check could only escalate to Claude).
import { HttpError } from "@/server/http/http-error";
import type { MessagesRequest } from "@/server/core/gateway/messages-request";
import { fitLocalContext } from "@/server/core/gateway/local-request-policy";
import { readLocalRequest } from "@/server/core/gateway/read-local-request";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { isOverBudget, overBudgetMessage, secondsToNextUtcDay } from "@/server/core/budgets/budget-rules";
import { takeRequest } from "@/server/core/budgets/request-window";
import type { CallerAgent } from "@/server/agents/authenticate-caller";
import type { GatewayState } from "@/server/gateway/gateway-state";
import type { TurnPlan } from "@/server/gateway/plan-turn";
import { requestWindow, spentToday, type BudgetSnapshot } from "./budget-ledger";

/** Takes the request into the agent's per-minute window, or refuses it with a 429 and retry-after. */
export function admitRequest(snapshot: BudgetSnapshot, agentId: string, now = Date.now()): void {
  const limit = snapshot.limits.get(agentId)?.requestsPerMinute ?? null;
  if (limit === null) return;
  const verdict = takeRequest(requestWindow(agentId), limit, now);
  if (verdict.ok) return;
  throw new HttpError(
    429,
    "rate_limit_error",
    `agent ${agentId} is over its limit of ${limit} requests per minute; retry in ${verdict.retryAfterSeconds} s`,
    undefined,
    { "retry-after": String(verdict.retryAfterSeconds) },
  );
}

export type BudgetedTurn = {
  plan: TurnPlan;
  /** The state the turn is served with: escalation to Claude turned off for an over-budget agent. */
  state: GatewayState;
  /** "budget" when a Claude-lane turn is served locally instead (the x-offload-downgraded header). */
  downgraded: "budget" | null;
  /** Set when the turn is refused: the 429 to answer with (the turn is recorded first). */
  refusal: HttpError | null;
};

/** Why the local model cannot serve this turn instead of Claude, or null when it can. */
function cannotServeLocally(body: MessagesRequest, plan: TurnPlan, state: GatewayState): string | null {
  if (state.health.status === "down")
    return `the local model is down${state.health.reason ? ` (${state.health.reason})` : ""}`;
  const local = readLocalRequest(body);
  if (!local.ok) return `not for a local model (${local.problem})`;
  const s = state.settings;
  const fit = fitLocalContext(plan.promptTokens, body.max_tokens, s.localContextTokens, s.localAnswerReserveTokens);
  return fit.fits ? null : fit.reason;
}

function refusal(message: string, plan: TurnPlan, now: Date): HttpError {
  const retryAfter = secondsToNextUtcDay(now);
  const hours = Math.floor(retryAfter / 3600);
  const minutes = Math.ceil((retryAfter % 3600) / 60);
  return new HttpError(
    429,
    "rate_limit_error",
    `${message}; its Claude-lane turns are refused until the budget starts again at 00:00 UTC (in ${hours} h ${minutes} min) or the operator raises it`,
    undefined,
    {
      "retry-after": String(retryAfter),
      ...offloadHeaders({ lane: "claude", model: plan.model, reason: `refused: ${message}` }),
    },
  );
}

/** The turn as the agent's budget allows it: as planned, downgraded to the local model, or refused. */
export function budgetTurn(
  plan: TurnPlan,
  body: MessagesRequest,
  agent: CallerAgent,
  state: GatewayState,
  snapshot: BudgetSnapshot,
  now = new Date(),
): BudgetedTurn {
  const limits = snapshot.limits.get(agent.id);
  const budget = limits?.dailyBudgetMicroUsd ?? null;
  const spent = spentToday(snapshot, agent.id);
  if (!limits || !isOverBudget(spent, budget)) return { plan, state, downgraded: null, refusal: null };
  const message = overBudgetMessage(agent.id, budget!, spent);
  // Nothing of this turn may reach Claude: no escalation from the local model.
  const noClaude: GatewayState = { ...state, settings: { ...state.settings, escalateWhenLocalDown: false } };
  if (plan.lane !== "claude") {
    const unchecked = plan.lane === "local_careful";
    return {
      plan: unchecked
        ? { ...plan, lane: "local", reason: `${plan.reason}; ${message}: answered by the local model unchecked` }
        : plan,
      state: noClaude,
      downgraded: null,
      refusal: null,
    };
  }
  if (limits.overBudget === "downgrade") {
    const why = cannotServeLocally(body, plan, state);
    if (why)
      return {
        plan: { ...plan, reason: `${plan.reason}; refused: ${message}; not downgraded: ${why}` },
        state,
        downgraded: null,
        refusal: refusal(`${message}; it cannot be downgraded to the local model: ${why}`, plan, now),
      };
    return {
      plan: {
        ...plan,
        lane: "local",
        model: agent.localModel,
        contextForcedClaude: false,
        reason: `${plan.reason}; ${message}: downgraded to the local model`,
      },
      state: noClaude,
      downgraded: "budget",
      refusal: null,
    };
  }
  return {
    plan: { ...plan, reason: `${plan.reason}; refused: ${message}` },
    state,
    downgraded: null,
    refusal: refusal(message, plan, now),
  };
}
