// The Claude lane's client: the operator's ANTHROPIC_API_KEY (never an agent's key, never logged),
// ANTHROPIC_BASE_URL honoured, no retries of its own (the agent's SDK decides about retrying a 429).
import "server-only";
import Anthropic from "@anthropic-ai/sdk";
import { env } from "@/server/process/env";

// Cached per module instance, not on globalThis: the production server loads this module twice
// (its own listener and Next's bundle), and each copy must get errors of its own SDK's classes
// (`err instanceof Anthropic.APIError`).
let cached: { key: string; base: string | undefined; client: Anthropic } | undefined;

export function anthropicClient(): Anthropic | null {
  const { ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: base } = env();
  if (!key) return null;
  if (cached && cached.key === key && cached.base === base) return cached.client;
  const client = new Anthropic({
    apiKey: key,
    baseURL: base ?? undefined,
    maxRetries: 0,
    timeout: 10 * 60_000,
  });
  cached = { key, base, client };
  return client;
}
