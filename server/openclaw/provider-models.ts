// The model entries of Offload's OpenClaw providers: each Claude model with OpenClaw's cost fields
// (USD per million tokens) from Offload's price table in force, operator overrides included.
import type { Db } from "@/server/db/client";
import type { OffloadProviderModel } from "@/server/core/openclaw/openclaw-types";
import { microUsdToNumber } from "@/server/core/money";
import { readPriceMap } from "@/server/db/prices";

/** Claude's context window and a safe output cap for every current Claude model. */
const CONTEXT_WINDOW = 200_000;
const MAX_TOKENS = 32_000;

export async function readProviderModels(
  db: Db,
  models: string[],
): Promise<{ rows: OffloadProviderModel[]; unpriced: string[] }> {
  const prices = await readPriceMap(db);
  const unpriced: string[] = [];
  const usd = (v: bigint | undefined) => (v === undefined ? 0 : microUsdToNumber(v));
  const rows = [...new Set(models)].sort().map((id) => {
    const p = prices.get(id);
    if (!p) unpriced.push(id);
    return {
      id,
      name: `${id} via Offload`,
      cost: {
        input: usd(p?.input),
        output: usd(p?.output),
        cacheRead: usd(p?.cache_read),
        cacheWrite: usd(p?.cache_write_5m),
      },
      contextWindow: CONTEXT_WINDOW,
      maxTokens: MAX_TOKENS,
    };
  });
  return { rows, unpriced };
}
