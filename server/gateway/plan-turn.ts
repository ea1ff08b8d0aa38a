// Where one gateway turn goes and on which model, decided before anything is sent: what the turn
// is about (core/turns/read-turn.ts: the instruction without the client's wrapper, a heartbeat, a
// tool loop's continuation; core/turns/fingerprint.ts: its recurring template), the routing policy
// (core/routing/decide-route.ts: pin > task type header > a tool loop's lane > the operator's rule
// for the fingerprint > a recognised heartbeat > classifier on the instruction > default, then
// Ollama's health), then what a local lane cannot serve faithfully (a role or block it cannot be
// given, a prompt longer than its context) goes to Claude, and on Claude the requested model is
// served unless an operator's model mapping says otherwise.
import { classifyTask } from "@/server/core/classifier/classify-task";
import { decideRoute, RouteError, type RouteDecision } from "@/server/core/routing/decide-route";
import { mapModel, type ModelMapping } from "@/server/core/routing/map-model";
import { answerReserve, estimateTokens, fitLocalContext } from "@/server/core/gateway/local-request-policy";
import { promptCharacters, type MessagesRequest } from "@/server/core/gateway/messages-request";
import { readLocalRequest } from "@/server/core/gateway/read-local-request";
import { LANE_TIER, type Lane } from "@/server/core/lanes";
import { readTurn, type TurnReading } from "@/server/core/turns/read-turn";
import { fingerprintOf, type Fingerprint } from "@/server/core/turns/fingerprint";
import type { CallerAgent } from "@/server/agents/authenticate-caller";
import { HttpError } from "@/server/http/http-error";
import type { GatewayState } from "./gateway-state";
import { conversationLaneKey, conversationLanes, type ConversationLane } from "./conversation-lanes";

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
  /** What the turn is about, as read from the request. */
  reading: TurnReading;
  /** The agent's conversation, as the tool-loop lanes know it (conversation-lanes.ts). */
  conversationLaneKey: string;
  /** The instruction's recurring template; null when the turn has no instruction. */
  fingerprint: Fingerprint | null;
  /** The classifier's confidence, when the classifier decided. */
  confidence: number | null;
  /** The prompt's estimated tokens. */
  promptTokens: number;
  /** A local-lane turn sent to Claude only because it did not fit the local context. */
  contextForcedClaude: boolean;
  /** The room kept for the answer when the turn was checked against the local context; null when it was not. */
  answerReserveTokens: number | null;
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

/** The reason with its first clause (the draft decision's own words) replaced; health's notes after it stay. */
function withFirstClause(reason: string, clause: string): string {
  const rest = reason.indexOf("; ");
  return rest < 0 ? clause : `${clause}${reason.slice(rest)}`;
}

/** What decides the turn when neither a pin nor a header does: a tool loop's lane, the operator's rule
 *  for the turn's fingerprint, a heartbeat, or the classifier. */
type Basis =
  | { kind: "loop"; follow: ConversationLane }
  | { kind: "rule"; fingerprint: Fingerprint; taskTypeId: string }
  | { kind: "heartbeat"; by: string }
  | { kind: "classifier" };

function basisOf(
  reading: TurnReading,
  fingerprint: Fingerprint | null,
  laneKey: string,
  state: GatewayState,
  labelled: boolean,
): Basis {
  if (labelled) return { kind: "classifier" };
  if (reading.kind === "tool-results") {
    const follow = conversationLanes.follow(laneKey);
    if (follow) return { kind: "loop", follow };
  }
  const ruled = fingerprint ? state.fingerprintRules.get(fingerprint.id) : undefined;
  if (fingerprint && ruled && state.taskTypes.some((t) => t.id === ruled))
    return { kind: "rule", fingerprint, taskTypeId: ruled };
  if (reading.heartbeat && state.taskTypes.some((t) => t.id === "heartbeat"))
    return { kind: "heartbeat", by: reading.heartbeat.by };
  return { kind: "classifier" };
}

function routeTurn(
  reading: TurnReading,
  basis: Basis,
  agent: CallerAgent,
  state: GatewayState,
  headerTaskType: string | null,
): RouteDecision {
  const ctx = {
    agent,
    taskTypes: state.taskTypes,
    classify: classifyTask,
    health: state.health,
    settings: { ...state.settings },
  };
  const request = { lastUserText: reading.instruction };
  const pinned = agent.pin !== "none";
  if (basis.kind === "rule") {
    const decision = decideRoute({ agentId: agent.id, taskType: basis.taskTypeId, request }, ctx);
    return pinned
      ? decision
      : { ...decision, reason: `the operator's rule for fingerprint ${basis.fingerprint.id}; ${decision.reason}` };
  }
  if (basis.kind === "heartbeat") {
    // A recognised heartbeat is the heartbeat task type: its lane is the tier board's.
    const decision = decideRoute({ agentId: agent.id, taskType: "heartbeat", request }, ctx);
    return pinned ? decision : { ...decision, reason: `recognised as a heartbeat (${basis.by}); ${decision.reason}` };
  }
  if (basis.kind === "loop") {
    // The loop's lane, through the same policy (health may still move it): the board's lane of its
    // task type when that is the lane it began on, else the lane's tier with no task type.
    const { lane, taskTypeId } = basis.follow;
    const onBoard = state.taskTypes.find((t) => t.id === taskTypeId);
    const taskType = onBoard && onBoard.lane === lane ? onBoard.id : null;
    const decision = decideRoute(
      { agentId: agent.id, request },
      { ...ctx, classify: () => ({ taskType, tier: LANE_TIER[lane], confidence: 1, evidence: [] }) },
    );
    return pinned
      ? decision
      : {
          ...decision,
          taskType: taskTypeId,
          reason: withFirstClause(decision.reason, `tool results: the loop continues on lane ${lane}`),
        };
  }
  return decideRoute({ agentId: agent.id, taskType: headerTaskType, request }, ctx);
}

export type PlanOptions = {
  /** The request's User-Agent header (helps recognise the client). */
  userAgent?: string | null;
};

export function planTurn(
  body: MessagesRequest,
  agent: CallerAgent,
  state: GatewayState,
  headerTaskType: string | null,
  options: PlanOptions = {},
): TurnPlan {
  const reading = readTurn(body, { userAgent: options.userAgent, heartbeatPatterns: state.settings.heartbeatPatterns });
  const laneKey = conversationLaneKey(agent.id, reading.conversationKey);
  const fingerprint = fingerprintOf(reading.instruction);
  const basis = basisOf(reading, fingerprint, laneKey, state, !!headerTaskType);
  let decision: RouteDecision;
  try {
    decision = routeTurn(reading, basis, agent, state, headerTaskType);
  } catch (err) {
    if (err instanceof RouteError && err.code === "unknown_task_type")
      throw new HttpError(400, "invalid_request_error", `x-offload-task-type: ${err.message}`, "x-offload-task-type");
    if (err instanceof RouteError) throw new HttpError(503, "api_error", err.message);
    throw err;
  }
  const planned = decision.lane;
  const promptTokens = estimateTokens(promptCharacters(body));
  let contextForcedClaude = false;
  let answerReserveTokens: number | null = null;
  if (decision.lane !== "claude") {
    // What the local model could not be given as sent goes to Claude, rather than being cut or dropped.
    const local = readLocalRequest(body);
    if (!local.ok)
      decision = toClaude(decision, `${decision.reason}; not for a local model (${local.problem}): sent to claude`);
    else {
      const s = state.settings;
      const fit = fitLocalContext(promptTokens, body.max_tokens, s.localContextTokens, s.localAnswerReserveTokens);
      answerReserveTokens = answerReserve(body.max_tokens, s.localAnswerReserveTokens);
      if (!fit.fits) {
        decision = toClaude(decision, `${decision.reason}; ${fit.reason}: sent to claude`);
        contextForcedClaude = true;
      }
    }
  }
  const taskTypeId =
    decision.taskType && state.taskTypes.some((t) => t.id === decision.taskType) ? decision.taskType : null;
  // A turn that begins a loop sets its lane; a moved-off-its-lane turn (health, what a local model cannot take) breaks it.
  const escalated = !!decision.escalatedFrom || planned !== decision.lane;
  if (reading.kind !== "tool-results")
    conversationLanes.remember(laneKey, { lane: decision.lane, taskTypeId, escalated });
  else if (escalated) conversationLanes.markEscalated(laneKey);
  const read = {
    reading,
    conversationLaneKey: laneKey,
    fingerprint,
    confidence: basis.kind === "classifier" && !headerTaskType && agent.pin === "none" ? decision.confidence : null,
    promptTokens,
    contextForcedClaude,
    answerReserveTokens,
  };
  if (decision.lane !== "claude")
    return { lane: decision.lane, model: decision.model!, taskTypeId, reason: decision.reason, decision, ...read };
  const target = claudeTarget(body.model, { agentId: agent.id, taskTypeId }, state);
  return {
    lane: "claude",
    model: target.model,
    taskTypeId,
    reason: withMappingNote(decision.reason, body.model, target),
    decision,
    ...read,
  };
}
