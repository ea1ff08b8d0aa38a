// The cost of one turn, in integer micro-dollars: Claude turns from their usage and the model's
// price, local turns from the electricity their generation used. A model without a price is an
// explicit "unpriced" result the operator sees, never a zero.
import type { PricePerMTok, TokenUsage, ElectricitySettings } from "./price-usage";
import { priceElectricity, priceUsage } from "./price-usage";
import { estimateCounterfactual } from "./estimate-counterfactual";

export type PriceMap = ReadonlyMap<string, PricePerMTok>;

export type TurnCost = { priced: true; costMicroUsd: bigint } | { priced: false; costMicroUsd: null; reason: string };

const DATED_SUFFIX = /-(\d{8}|latest)$/;

/**
 * The price of a model by its name as a provider reports it: exact first, then without a date or
 * `-latest` suffix (`claude-haiku-4-5-20251001` is priced as `claude-haiku-4-5`), then without an
 * `anthropic/` prefix. Null when Offload has no price for it.
 */
export function resolveModelPrice(prices: PriceMap, model: string): PricePerMTok | null {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^anthropic\//, "");
  return prices.get(model) ?? prices.get(name) ?? prices.get(name.replace(DATED_SUFFIX, "")) ?? null;
}

export function priceClaudeTurn(model: string, usage: TokenUsage, prices: PriceMap): TurnCost {
  const price = resolveModelPrice(prices, model);
  if (!price) return { priced: false, costMicroUsd: null, reason: `no price for model ${model}` };
  return { priced: true, costMicroUsd: priceUsage(usage, price) };
}

export type LocalTurnInput = {
  /** Milliseconds the GPU spent on this turn (prompt evaluation and generation). */
  generationMs: number;
  promptTokens: number;
  outputTokens: number;
  /** The agent's Claude model: what the turn would have run on otherwise. */
  claudeModel: string;
};

export type LocalTurnCost = {
  costMicroUsd: bigint;
  /** What the same turn would have cost on the agent's Claude model; null when that model is unpriced. */
  counterfactualMicroUsd: bigint | null;
};

export function priceLocalTurn(
  input: LocalTurnInput,
  settings: ElectricitySettings & { counterfactualCachedShare: number },
  prices: PriceMap,
): LocalTurnCost {
  const claudePrice = resolveModelPrice(prices, input.claudeModel);
  return {
    costMicroUsd: priceElectricity(input.generationMs, settings),
    counterfactualMicroUsd: claudePrice
      ? estimateCounterfactual(input.promptTokens, input.outputTokens, settings.counterfactualCachedShare, claudePrice)
      : null,
  };
}
