// Where one turn goes. Precedence: the agent's pin (routing A) > the explicit task type's lane
// (routing B) > the classifier on the text > the default lane, Claude (when unsure, spend rather
// than risk quality). Then health: a local lane while Ollama is down goes to Claude, or is
// refused when the operator turned escalation off; while Ollama is degraded, Local-with-care work
// may move to Claude (a setting). Pure: everything it needs is passed in.
import type { PolledHost } from "@/server/core/health/ollama-pool";
import { LANE_LABEL, LANE_TIER, isLocalLane, type Lane, type Pin } from "../lanes";
import type { Classification, ClassifierInput, ClassifierTaskType, Tier } from "../classifier/classify-task";

export type RouteInput = {
  agentId?: string | null;
  /** An explicit task type id (API field `taskType`, gateway header `x-offload-task-type`). */
  taskType?: string | null;
  title?: string | null;
  description?: string | null;
  /** Set when the turn comes through the gateway: the request's last user text. */
  request?: { lastUserText?: string | null } | null;
};

export type RouteAgent = { id: string; pin: Pin; localModel: string; claudeModel: string };

export type OllamaHealth = {
  status: "up" | "degraded" | "down" | "unknown";
  reason?: string;
  /** Each host of the pool as the last fresh poll saw it (absent: no fresh poll). */
  hosts?: PolledHost[];
};

export type RouteSettings = {
  defaultLocalModel: string;
  defaultClaudeModel: string;
  escalateWhenLocalDown: boolean;
  carefulToClaudeWhenDegraded: boolean;
  /** Below this confidence the classifier's verdict is not acted on (default lane instead). */
  classifierMinConfidence: number;
};

export type RouteContext = {
  agent: RouteAgent | null;
  taskTypes: readonly ClassifierTaskType[];
  classify: (input: ClassifierInput, catalogue: readonly ClassifierTaskType[]) => Classification;
  health: OllamaHealth;
  settings: RouteSettings;
};

export type RouteDecision = {
  tier: Tier;
  lane: Lane;
  /** The model that serves the turn; null for a sidecar task asked about outside the gateway (no model at all). */
  model: string | null;
  taskType: string | null;
  confidence: number;
  reason: string;
  /** The lane before health changed it, when it did. */
  escalatedFrom?: Lane;
};

/** A decision that cannot be made from this input (names the field) or must be refused (local down, escalation off). */
export class RouteError extends Error {
  constructor(
    readonly code: "unknown_task_type" | "local_unavailable",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Draft = { lane: Lane; taskType: string | null; confidence: number; reason: string };

const pct = (n: number) => n.toFixed(2);

function draftRoute(input: RouteInput, ctx: RouteContext): Draft {
  const byId = new Map(ctx.taskTypes.map((t) => [t.id, t]));
  const explicit = input.taskType?.trim() || null;
  if (explicit && !byId.has(explicit)) {
    throw new RouteError("unknown_task_type", `unknown task type "${explicit}"`, "taskType");
  }
  const hasText = !!(input.title?.trim() || input.description?.trim() || input.request?.lastUserText?.trim());

  // What the work is: the explicit type, else the classifier's reading of the text.
  let taskType: string | null = explicit;
  let classification: Classification | null = null;
  if (!explicit && hasText) {
    classification = ctx.classify(
      { title: input.title, description: input.description, lastUserText: input.request?.lastUserText },
      ctx.taskTypes,
    );
    taskType = classification.taskType;
  }

  const pin = ctx.agent?.pin ?? "none";
  if (pin !== "none") {
    return { lane: pin, taskType, confidence: 1, reason: `agent ${ctx.agent!.id} is pinned to ${pin}` };
  }
  if (explicit) {
    const t = byId.get(explicit)!;
    return { lane: t.lane, taskType: explicit, confidence: 1, reason: `task type ${t.id} is in lane ${t.lane}` };
  }
  if (classification) {
    const c = classification;
    const name = c.taskType ? (byId.get(c.taskType)?.name.toLowerCase() ?? c.taskType) : null;
    const what = name ? `classified as ${name}` : `classified as tier ${c.tier} work`;
    // The tier follows the task type's current lane (an operator may have moved it).
    const lane: Lane = c.taskType && byId.has(c.taskType) ? byId.get(c.taskType)!.lane : laneOfTier(c.tier);
    if (lane === "claude")
      return { lane, taskType: c.taskType, confidence: c.confidence, reason: `${what} (${pct(c.confidence)})` };
    if (c.confidence >= ctx.settings.classifierMinConfidence) {
      return { lane, taskType: c.taskType, confidence: c.confidence, reason: `${what} (${pct(c.confidence)})` };
    }
    return {
      lane: "claude",
      taskType: c.taskType,
      confidence: c.confidence,
      reason: `unsure: ${what} at ${pct(c.confidence)}, below ${pct(ctx.settings.classifierMinConfidence)}; the default lane is claude`,
    };
  }
  return {
    lane: "claude",
    taskType: null,
    confidence: 0,
    reason: "no task type and no text to classify; the default lane is claude",
  };
}

function laneOfTier(tier: Tier): Lane {
  return (Object.keys(LANE_TIER) as Lane[]).find((l) => LANE_TIER[l] === tier)!;
}

export function decideRoute(input: RouteInput, ctx: RouteContext): RouteDecision {
  const draft = draftRoute(input, ctx);
  const viaGateway = !!input.request;
  let lane = draft.lane;
  let reason = draft.reason;
  let escalatedFrom: Lane | undefined;

  if (isLocalLane(lane) && !(lane === "sidecar" && !viaGateway)) {
    if (ctx.health.status === "down") {
      const why = `ollama down${ctx.health.reason ? ` (${ctx.health.reason})` : ""}`;
      if (!ctx.settings.escalateWhenLocalDown) {
        throw new RouteError("local_unavailable", `${reason}, but ${why} and escalation to Claude is turned off`);
      }
      escalatedFrom = lane;
      lane = "claude";
      reason = `${reason}; ${why}: sent to claude`;
    } else if (
      ctx.health.status === "degraded" &&
      lane === "local_careful" &&
      ctx.settings.carefulToClaudeWhenDegraded
    ) {
      escalatedFrom = lane;
      lane = "claude";
      reason = `${reason}; ollama degraded${ctx.health.reason ? ` (${ctx.health.reason})` : ""}: ${LANE_LABEL.local_careful.toLowerCase()} work goes to claude`;
    }
  }

  const localModel = ctx.agent?.localModel ?? ctx.settings.defaultLocalModel;
  const claudeModel = ctx.agent?.claudeModel ?? ctx.settings.defaultClaudeModel;
  let model: string | null;
  if (lane === "claude") model = claudeModel;
  else if (lane === "sidecar") {
    // The sidecar runs it with no model; a sidecar task that reached the gateway is served locally.
    model = viaGateway ? localModel : null;
    if (viaGateway) reason = `${reason}; a sidecar task reached the gateway, so the local model serves it`;
  } else model = localModel;

  return {
    tier: LANE_TIER[lane],
    lane,
    model,
    taskType: draft.taskType,
    confidence: draft.confidence,
    reason,
    ...(escalatedFrom ? { escalatedFrom } : {}),
  };
}
