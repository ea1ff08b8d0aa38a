// Where one gateway turn goes and on which model, decided before anything is sent: the routing
// policy (core/routing/decide-route.ts: pin > task type header > classifier > default, then
// Ollama's health), then what a local lane cannot serve faithfully (a role or block it cannot be
// given, a prompt longer than its context) goes to Claude, and on Claude the requested model is
// served unless an operator's model mapping says otherwise.
import { classifyTask } from "@/server/core/classifier/classify-task";
import { decideRoute, RouteError, type RouteDecision } from "@/server/core/routing/decide-route";
import { mapModel, type ModelMapping } from "@/server/core/routing/map-model";
import { estimateTokens, fitLocalContext } from "@/server/core/gateway/local-request-policy";
import { lastUserText, promptCharacters, type MessagesRequest } from "@/server/core/gateway/messages-request";
import { readLocalRequest } from "@/server/core/gateway/read-local-request";
import { LANE_TIER, type Lane } from "@/server/core/lanes";
import type { CallerAgent } from "@/server/agents/authenticate-caller";
import { HttpError } from "@/server/http/http-error";
import type { GatewayState } from "./gateway-state";

export type ClaudeTarget = {
  /** The model sent to Anthropic: the requested one, or an operator mapping's. */
  model: string;
  mapping: ModelMapping | null;
};

export type TurnPlan = {
  lane: Lane;
  /** The model that serves the turn: the local model on local lanes, the Claude target's on Claude. */
  model: string;
  /** A task type of the catalogue (what DailyUsage and the board count), or null. */
  taskTypeId: string | null;
  reason: string;
  decision: RouteDecision;
};

/** The model Claude serves for a requested one: as asked, or as an operator's mapping says. */
export function claudeTarget(
  requested: string,
  turn: { agentId: string; taskTypeId: string | null },
  state: GatewayState,
): ClaudeTarget {
  return mapModel(requested, turn, state.settings.modelMappings);
}

/** The reason with a mapping's note, as the turn records it. */
export function withMappingNote(reason: string, requested: string, target: ClaudeTarget): string {
  if (!target.mapping) return reason;
  const m = target.mapping;
  const scope = [m.agentId ? `agent ${m.agentId}` : null, m.taskTypeId ? `task type ${m.taskTypeId}` : null]
    .filter(Boolean)
    .join(", ");
  return `${reason}; model mapped by the operator: ${requested} -> ${target.model}${scope ? ` (${scope})` : ""}`;
}

function toClaude(decision: RouteDecision, reason: string): RouteDecision {
  return { ...decision, lane: "claude", tier: LANE_TIER.claude, reason };
}

export function planTurn(
  body: MessagesRequest,
  agent: CallerAgent,
  state: GatewayState,
  headerTaskType: string | null,
): TurnPlan {
  let decision: RouteDecision;
  try {
    decision = decideRoute(
      { agentId: agent.id, taskType: headerTaskType, request: { lastUserText: lastUserText(body.messages) } },
      {
        agent,
        taskTypes: state.taskTypes,
        classify: classifyTask,
        health: state.health,
        settings: { ...state.settings },
      },
    );
  } catch (err) {
    if (err instanceof RouteError && err.code === "unknown_task_type")
      throw new HttpError(400, "invalid_request_error", `x-offload-task-type: ${err.message}`, "x-offload-task-type");
    if (err instanceof RouteError) throw new HttpError(503, "api_error", err.message);
    throw err;
  }
  if (decision.lane !== "claude") {
    // What the local model could not be given as sent goes to Claude, rather than being cut or dropped.
    const local = readLocalRequest(body);
    if (!local.ok)
      decision = toClaude(decision, `${decision.reason}; not for a local model (${local.problem}): sent to claude`);
    else {
      const fit = fitLocalContext(
        estimateTokens(promptCharacters(body)),
        body.max_tokens,
        state.settings.localContextTokens,
      );
      if (!fit.fits) decision = toClaude(decision, `${decision.reason}; ${fit.reason}: sent to claude`);
    }
  }
  const taskTypeId =
    decision.taskType && state.taskTypes.some((t) => t.id === decision.taskType) ? decision.taskType : null;
  if (decision.lane !== "claude")
    return { lane: decision.lane, model: decision.model!, taskTypeId, reason: decision.reason, decision };
  const target = claudeTarget(body.model, { agentId: agent.id, taskTypeId }, state);
  return {
    lane: "claude",
    model: target.model,
    taskTypeId,
    reason: withMappingNote(decision.reason, body.model, target),
    decision,
  };
}
