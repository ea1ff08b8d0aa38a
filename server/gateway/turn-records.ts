// A gateway turn as the Turn row it becomes: who, which lane, requested and served model, tokens,
// timings, status, why, and its price (Claude at the served model's price; local at the
// electricity it took, with the Claude cost it avoided at the requested model's price, or the
// agent's Claude model's when the requested one has none).
import { priceClaudeTurn, priceLocalTurn, resolveModelPrice } from "@/server/core/cost/price-turn";
import { usageFromAnthropic } from "@/server/core/cost/usage-from-anthropic";
import { electricityMicroUsdPerKwh } from "@/server/core/settings-defaults";
import type { TurnRecord, TurnStatus } from "@/server/core/turn-record";
import type { Lane } from "@/server/core/lanes";
import type { Meter } from "@/server/providers/provider";
import { noteClaudeSpend } from "@/server/budgets/budget-ledger";
import type { GatewayTurn } from "./gateway-turn";

export type TurnEnd = {
  id: string;
  lane: Lane;
  status: TurnStatus;
  meter: Meter;
  reason: string;
  errorMessage: string | null;
  escalatedFromTurnId: string | null;
  /** The Ollama host of a local turn's last attempt. */
  localHost?: string | null;
};

function baseRecord(turn: GatewayTurn, end: TurnEnd): TurnRecord {
  return {
    id: end.id,
    agentId: turn.agent.id,
    taskTypeId: turn.plan.taskTypeId,
    lane: end.lane,
    requestedModel: turn.body.model,
    servedModel: end.meter.model,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    latencyMs: Math.round(performance.now() - turn.t0),
    generationMs: end.meter.generationMs,
    evalMs: end.meter.evalMs,
    loadMs: end.meter.loadMs,
    status: end.status,
    escalatedFromTurnId: end.escalatedFromTurnId,
    reason: end.reason,
    errorMessage: end.errorMessage,
    costMicroUsd: null,
    counterfactualMicroUsd: null,
    source: "gateway",
    startedAt: turn.startedAt,
    fingerprint: turn.plan.fingerprint,
    confidence: turn.plan.confidence,
    promptTokens: turn.plan.promptTokens,
    contextForcedClaude: turn.plan.contextForcedClaude,
    answerReserveTokens: turn.plan.answerReserveTokens,
  };
}

export function claudeRecord(turn: GatewayTurn, end: TurnEnd): TurnRecord {
  const tokens = usageFromAnthropic(end.meter.usage);
  const cost = priceClaudeTurn(end.meter.model, tokens, turn.state.prices).costMicroUsd;
  const record = { ...baseRecord(turn, end), ...tokens, costMicroUsd: cost, counterfactualMicroUsd: cost };
  // The agent's budget counts it now, not only once the turn writer has stored it.
  noteClaudeSpend(record);
  return record;
}

export function localRecord(turn: GatewayTurn, end: TurnEnd): TurnRecord {
  const s = turn.state.settings;
  const tokens = usageFromAnthropic(end.meter.usage);
  const requested = turn.body.model;
  const cost = priceLocalTurn(
    {
      generationMs: end.meter.generationMs ?? 0,
      promptTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      claudeModel: resolveModelPrice(turn.state.prices, requested) ? requested : turn.agent.claudeModel,
    },
    {
      gpuWatts: s.gpuWatts,
      electricityMicroUsdPerKwh: electricityMicroUsdPerKwh(s),
      counterfactualCachedShare: s.counterfactualCachedShare,
    },
    turn.state.prices,
  );
  return {
    ...baseRecord(turn, end),
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    costMicroUsd: cost.costMicroUsd,
    counterfactualMicroUsd: cost.counterfactualMicroUsd,
    localHost: end.localHost ?? null,
  };
}
