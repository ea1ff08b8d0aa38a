// A local model's published architecture, from Ollama's POST /api/show ({"model": name}) through the
// official `ollama` client: the cache-relevant shape (core/health/estimate-vram.ts) and its details
// (family, parameter size, quantisation). Kept per (Ollama host, model) in the process for some
// minutes, a failure for less; never throws: a failure is a short reason for the Health page.
import { Ollama } from "ollama";
import { readModelShape, type ModelShape } from "@/server/core/health/estimate-vram";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { ollamaProvider } from "@/server/providers/ollama-provider";

export type ModelCard = {
  model: string;
  shape: ModelShape;
  family: string | null;
  parameterSize: string | null;
  quantization: string | null;
};

export type ModelCardReading = { ok: true; card: ModelCard } | { ok: false; reason: string };

type Entry = { until: number; reading: Promise<ModelCardReading> };
export type ModelCardCache = Map<string, Entry>;

// The cache is one process-wide value (process-registry.ts says why); its slot is declared here,
// beside its one user.
declare module "@/server/process/process-registry" {
  interface ProcessSlots {
    /** server/health/show-model.ts: /api/show answers per (Ollama host, model). */
    modelCards: ModelCardCache;
  }
}

/**
 * /api/show reads the model file's header: milliseconds on an idle Ollama, seconds on a busy one (it
 * answered after more than 3 s on a machine under load). No turn waits for it: the Health page and
 * the context planner do.
 */
const SHOW_TIMEOUT_MS = 10_000;
/** An architecture does not change while the model is installed; a re-pull shows within minutes. */
const KEEP_MS = 10 * 60_000;
/** A failure is asked again soon (Ollama may be back, the model pulled). */
const KEEP_FAILURE_MS = 30_000;
const MAX_ENTRIES = 64;

const cache = processSlot("modelCards", (): ModelCardCache => new Map());

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v : null);

/** The official client, not the local lanes' (ollama-client.ts): a metadata call is no local request in flight. */
function metadataClient(host: string): Ollama {
  return new Ollama({
    host,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(SHOW_TIMEOUT_MS) }),
  });
}

/** One /api/show; a connection reset (an idle keep-alive socket closed by the server as it was reused) is retried once. */
async function show(host: string, model: string): Promise<unknown> {
  const provider = ollamaProvider(host, { counted: false });
  try {
    return await metadataClient(host).show({ model });
  } catch (err) {
    if (provider.describeError(err).message !== "the connection was reset") throw err;
    return metadataClient(host).show({ model });
  }
}

async function showOnce(host: string, model: string): Promise<ModelCardReading> {
  let answer: unknown;
  try {
    answer = await show(host, model);
  } catch (err) {
    const f = ollamaProvider(host, { counted: false }).describeError(err);
    switch (f.kind) {
      case "refused":
        return { ok: false, reason: `Ollama does not answer at ${host} (connection refused)` };
      case "timeout":
      case "cancelled":
        return { ok: false, reason: `Ollama did not answer /api/show within ${SHOW_TIMEOUT_MS / 1000} s` };
      case "http":
        return f.status === 404
          ? { ok: false, reason: `${model} is not installed in Ollama (ollama pull ${model})` }
          : { ok: false, reason: `Ollama answered /api/show with ${f.status}${f.message ? `: ${f.message}` : ""}` };
      case "malformed":
        return { ok: false, reason: "Ollama's /api/show answer is not JSON" };
      default:
        return { ok: false, reason: `/api/show failed: ${f.message}` };
    }
  }
  const a = (answer && typeof answer === "object" ? answer : {}) as { model_info?: unknown; details?: unknown };
  const shape = readModelShape(a.model_info);
  if (!shape.ok) return { ok: false, reason: `Ollama's /api/show for ${model}: ${shape.reason}` };
  const details = (a.details && typeof a.details === "object" ? a.details : {}) as Record<string, unknown>;
  return {
    ok: true,
    card: {
      model,
      shape: shape.shape,
      family: text(details.family),
      parameterSize: text(details.parameter_size),
      quantization: text(details.quantization_level),
    },
  };
}

/** The model's card from Ollama at `host`, from the process's cache when fresh. */
export function showModel(
  model: string,
  host: string = env().OLLAMA_HOST,
  now = Date.now(),
): Promise<ModelCardReading> {
  const key = `${host}\u0000${model}`;
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.reading;
  const entry: Entry = { until: now + KEEP_MS, reading: showOnce(host, model) };
  void entry.reading.then((r) => {
    if (!r.ok) entry.until = now + KEEP_FAILURE_MS;
  });
  cache.delete(key);
  cache.set(key, entry);
  // Oldest first: a Map iterates in insertion order.
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return entry.reading;
}

/** Forgets every cached card (tests; an operator who just pulled a model waits at most the keep time). */
export function forgetModelCards(): void {
  cache.clear();
}
