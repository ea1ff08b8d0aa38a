import { describe, expect, it } from "vitest";
import { buildOffloadProvider } from "./offload-provider";
import type { OffloadProviderModel } from "./openclaw-types";

const OPUS: OffloadProviderModel = {
  id: "claude-opus-4-6",
  name: "Claude Opus 4.6",
  cost: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  contextWindow: 200_000,
  maxTokens: 32_000,
};

describe("buildOffloadProvider", () => {
  it("writes Offload's endpoint, the key as a reference and the priced models", () => {
    expect(buildOffloadProvider("http://127.0.0.1:3000", "OFFLOAD_KEY_OPS", ["claude-opus-4-6"], [OPUS])).toEqual({
      baseUrl: "http://127.0.0.1:3000",
      api: "anthropic-messages",
      apiKey: "${OFFLOAD_KEY_OPS}",
      models: [
        {
          id: "claude-opus-4-6",
          name: "Claude Opus 4.6",
          reasoning: true,
          input: ["text"],
          cost: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
          contextWindow: 200_000,
          maxTokens: 32_000,
        },
      ],
    });
  });

  it("writes a model without a price row bare", () => {
    const entry = buildOffloadProvider("http://x", "K", ["claude-haiku-4-5"], [OPUS]);
    expect(entry.models).toEqual([
      { id: "claude-haiku-4-5", name: "claude-haiku-4-5", reasoning: true, input: ["text"] },
    ]);
  });
});
