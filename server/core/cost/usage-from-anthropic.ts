// Anthropic's `usage` object -> the token counts Offload prices. `input_tokens` is the uncached
// part only; cache writes are split into 5-minute and 1-hour writes when Anthropic says so, and
// priced as 5-minute writes when it does not (or for any part the split leaves unexplained).
import type { TokenUsage } from "./price-usage";

export type AnthropicUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
};

const count = (n: number | null | undefined): number =>
  typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;

export function usageFromAnthropic(usage: AnthropicUsage | null | undefined): TokenUsage {
  if (!usage)
    return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 };
  const writes = count(usage.cache_creation_input_tokens);
  const split5m = count(usage.cache_creation?.ephemeral_5m_input_tokens);
  const split1h = count(usage.cache_creation?.ephemeral_1h_input_tokens);
  let cacheWrite5mTokens: number;
  let cacheWrite1hTokens: number;
  if (!usage.cache_creation) {
    cacheWrite5mTokens = writes;
    cacheWrite1hTokens = 0;
  } else {
    // The split is authoritative for what it names; a total larger than the split is a 5-minute remainder.
    cacheWrite1hTokens = split1h;
    cacheWrite5mTokens = Math.max(split5m, writes - split1h);
  }
  return {
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cacheReadTokens: count(usage.cache_read_input_tokens),
    cacheWrite5mTokens,
    cacheWrite1hTokens,
  };
}
