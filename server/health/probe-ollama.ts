// One poll of the Ollama server through its provider (server/providers): version, installed models,
// loaded models, within a timeout; a failure is classified (refused, timeout, HTTP status, malformed).
import { performance } from "node:perf_hooks";
import { ollamaProvider } from "@/server/providers/ollama-provider";
import type { ProviderFailure } from "@/server/providers/provider";
import type { Probe, ProbeFailure } from "@/server/core/health/judge-health";

const PROBE_TIMEOUT_MS = 3_000;

/** A provider failure in the health verdict's terms. */
function probeFailure(f: ProviderFailure): ProbeFailure {
  switch (f.kind) {
    case "refused":
      return { kind: "refused", message: "ECONNREFUSED" };
    case "timeout":
    case "cancelled":
      return { kind: "timeout", message: "no answer within the timeout" };
    case "http":
      return { kind: "http", status: f.status, message: f.message };
    case "malformed":
      return { kind: "malformed", message: f.message };
    default:
      return { kind: "other", message: f.message };
  }
}

/** One probe; a connection reset (an idle keep-alive socket closed by the server as it was reused) is retried once. */
export async function probeOllama(host?: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const first = await probeOnce(host, timeoutMs);
  if (first.ok || first.failure.message !== "the connection was reset") return first;
  return probeOnce(host, timeoutMs);
}

async function probeOnce(host: string | undefined, timeoutMs: number): Promise<Probe> {
  const started = performance.now();
  const provider = ollamaProvider(host, { counted: false });
  try {
    const inventory = await provider.inventory(AbortSignal.timeout(timeoutMs));
    return { ok: true, ...inventory, responseMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      failure: probeFailure(provider.describeError(err)),
      responseMs: Math.round(performance.now() - started),
    };
  }
}

/** The optional speed probe: a tiny chat, timed by Ollama itself (output tokens / generation time). */
export async function probeChatSpeed(model: string, host?: string, timeoutMs = 30_000): Promise<number | null> {
  try {
    const r = await ollamaProvider(host, { counted: false }).send({
      body: {
        model,
        max_tokens: 48,
        messages: [{ role: "user", content: "Count from 1 to 20, separated by spaces." }],
      },
      model,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const output = r.meter.usage?.output_tokens ?? 0;
    const evalMs = r.meter.evalMs ?? 0;
    return output > 0 && evalMs > 0 ? output / (evalMs / 1000) : null;
  } catch {
    return null;
  }
}
