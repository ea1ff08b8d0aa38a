// The Claude lane's client: the operator's ANTHROPIC_API_KEY (never an agent's key, never logged),
// ANTHROPIC_BASE_URL honoured, no retries of its own (the agent's SDK decides about retrying a 429).
import Anthropic from "@anthropic-ai/sdk";
import { readEnv } from "@/server/env";

// Cached per module instance, not on globalThis: the production server loads this module twice
// (its own listener and Next's bundle), and each copy must get errors of its own SDK's classes
// (`err instanceof Anthropic.APIError`).
let cached: { key: string; base: string | undefined; client: Anthropic } | undefined;

export function anthropicClient(): Anthropic | null {
  const env = readEnv();
  if (!env.ANTHROPIC_API_KEY) return null;
  if (cached && cached.key === env.ANTHROPIC_API_KEY && cached.base === env.ANTHROPIC_BASE_URL) return cached.client;
  const client = new Anthropic({
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL ?? undefined,
    maxRetries: 0,
    timeout: 10 * 60_000,
  });
  cached = { key: env.ANTHROPIC_API_KEY, base: env.ANTHROPIC_BASE_URL, client };
  return client;
}
