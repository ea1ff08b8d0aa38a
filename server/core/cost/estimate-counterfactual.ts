// What a turn served locally would have cost on Claude. Ollama reports the whole prompt as input;
// Claude would have read most of an agent's resent workspace context from its prompt cache, so the
// prompt is split by the cached share rather than priced as all-uncached (which would overstate savings).
import type { PricePerMTok, TokenUsage } from "./price-usage";
import { priceUsage } from "./price-usage";

export function splitPromptForClaude(promptTokens: number, outputTokens: number, cachedShare: number): TokenUsage {
  const share = Math.min(1, Math.max(0, cachedShare));
  const cacheReadTokens = Math.floor(promptTokens * share);
  return {
    inputTokens: promptTokens - cacheReadTokens,
    outputTokens,
    cacheReadTokens,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
  };
}

export function estimateCounterfactual(
  promptTokens: number,
  outputTokens: number,
  cachedShare: number,
  claudePrice: PricePerMTok,
): bigint {
  return priceUsage(splitPromptForClaude(promptTokens, outputTokens, cachedShare), claudePrice);
}
