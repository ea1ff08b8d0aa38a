// One poll of the Ollama server through the official client: version, installed models, loaded
// models, within a timeout; a failure is classified (refused, timeout, HTTP status, malformed).
import { performance } from "node:perf_hooks";
import { ollamaClient } from "@/server/providers/ollama-client";
import type { Probe, ProbeFailure } from "@/server/core/health/judge-health";

const PROBE_TIMEOUT_MS = 3_000;

function classifyFailure(err: unknown): ProbeFailure {
  const e = err as {
    name?: string;
    message?: string;
    status_code?: number;
    error?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return { kind: "timeout", message: "no answer within the timeout" };
  if (typeof e?.status_code === "number")
    return { kind: "http", status: e.status_code, message: (e.error ?? e.message ?? "").slice(0, 200) };
  if (e?.name === "SyntaxError") return { kind: "malformed", message: (e.message ?? "").slice(0, 120) };
  const code = e?.cause?.code;
  if (code === "ECONNREFUSED") return { kind: "refused", message: "ECONNREFUSED" };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return { kind: "other", message: "the connection was reset" };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "other", message: `host not found (${code})` };
  return { kind: "other", message: e?.cause?.message ?? e?.message ?? String(err) };
}

function shapeError(what: string): Error {
  const err = new Error(`${what} is not in Ollama's shape`);
  err.name = "SyntaxError";
  return err;
}

/** One probe; a connection reset (an idle keep-alive socket closed by the server as it was reused) is retried once. */
export async function probeOllama(host?: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  const first = await probeOnce(host, timeoutMs);
  if (first.ok || first.failure.message !== "the connection was reset") return first;
  return probeOnce(host, timeoutMs);
}

async function probeOnce(host: string | undefined, timeoutMs: number): Promise<Probe> {
  const started = performance.now();
  const client = ollamaClient(AbortSignal.timeout(timeoutMs), host);
  try {
    const [version, tags, ps] = await Promise.all([client.version(), client.list(), client.ps()]);
    if (typeof version?.version !== "string") throw shapeError("/api/version");
    if (!Array.isArray(tags?.models)) throw shapeError("/api/tags");
    if (!Array.isArray(ps?.models)) throw shapeError("/api/ps");
    return {
      ok: true,
      version: version.version,
      installed: tags.models.map((m) => ({ name: m.name, size: Number(m.size) || 0 })),
      loaded: ps.models.map((m) => {
        const extra = m as unknown as { context_length?: number };
        return {
          name: m.name,
          size: Number(m.size) || 0,
          sizeVram: Number(m.size_vram) || 0,
          expiresAt: m.expires_at ? new Date(m.expires_at).toISOString() : null,
          contextLength: typeof extra.context_length === "number" ? extra.context_length : null,
        };
      }),
      responseMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    return { ok: false, failure: classifyFailure(err), responseMs: Math.round(performance.now() - started) };
  }
}

/** The optional speed probe: a tiny chat, timed by Ollama itself (eval_count / eval_duration). */
export async function probeChatSpeed(model: string, host?: string, timeoutMs = 30_000): Promise<number | null> {
  try {
    const r = await ollamaClient(AbortSignal.timeout(timeoutMs), host).chat({
      model,
      messages: [{ role: "user", content: "Count from 1 to 20, separated by spaces." }],
      stream: false,
      think: false,
      options: { num_predict: 48 },
    });
    return r.eval_count > 0 && r.eval_duration > 0 ? r.eval_count / (r.eval_duration / 1e9) : null;
  } catch {
    return null;
  }
}
