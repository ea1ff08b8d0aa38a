"use client";
// The Health page's "Local context": the context and KV cache settings, what the cache costs per
// token and in all at that context, the weights, and model + cache against the GPU's memory, with a
// warning when they will not fit (Ollama then runs part of the model on the CPU).
import type { ReactNode } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { formatCount } from "@/server/core/money";
import { kvBytesPerElement } from "@/server/core/health/estimate-vram";
import type { RouterOutputs } from "@/server/api/root";

type LocalContext = RouterOutputs["health"]["localContext"];
type ModelContext = LocalContext["models"][number];

const KB = 1024;
const GB = 1024 ** 3;

/** Bytes in GB (1024^3, as the rest of the page), one decimal. */
export function formatGb(bytes: number): string {
  return `${(bytes / GB).toFixed(1)} GB`;
}

function Fact({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {hint ? <dd className="text-xs text-zinc-500">{hint}</dd> : null}
    </div>
  );
}

function shapeHint(m: ModelContext, kvCacheType: LocalContext["kvCacheType"]): string | null {
  const s = m.card?.shape;
  if (!s) return null;
  const heads = typeof s.kvHeads === "number" ? `${s.kvHeads} KV heads` : "per-layer KV heads";
  const bytes = kvBytesPerElement(kvCacheType);
  return `${s.layers} layers × ${heads} × (${s.keyLength} + ${s.valueLength}) × ${bytes} bytes`;
}

/** Weights and cache against the budget: a bar to the larger of the two, the budget marked, what is over it hatched red. */
function MemoryBar({ m }: { m: ModelContext }) {
  const e = m.estimate;
  if (!e || e.weightsBytes === null || e.totalBytes === null) return null;
  const scale = Math.max(e.totalBytes, e.availableBytes);
  const pct = (n: number) => `${Math.min(100, (n / scale) * 100)}%`;
  const overBytes = e.totalBytes - e.availableBytes;
  return (
    <div className="mt-3">
      <div
        className="relative flex h-4 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
        role="img"
        aria-label={`model ${formatGb(e.weightsBytes)} and cache ${formatGb(e.kvCacheBytes)} of ${formatGb(e.availableBytes)}`}
      >
        <div className="bg-sky-600" style={{ width: pct(e.weightsBytes) }} />
        <div className="bg-violet-500" style={{ width: pct(e.kvCacheBytes) }} />
        {overBytes > 0 ? (
          <div
            className="absolute inset-y-0 bg-[repeating-linear-gradient(135deg,#dc2626_0_6px,#fca5a5_6px_10px)]"
            style={{ left: pct(e.availableBytes), width: pct(overBytes) }}
            aria-hidden
          />
        ) : null}
        <div
          className="absolute inset-y-0 w-0.5 bg-zinc-900 dark:bg-zinc-100"
          style={{ left: `calc(${pct(e.availableBytes)} - 1px)` }}
          aria-hidden
        />
      </div>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-500">
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-sky-600" aria-hidden />
          weights {formatGb(e.weightsBytes)}
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-violet-500" aria-hidden />
          KV cache {formatGb(e.kvCacheBytes)}
        </span>
        <span>
          <span className="mr-1 inline-block h-2.5 w-0.5 bg-zinc-900 align-middle dark:bg-zinc-100" aria-hidden />
          GPU memory: {formatGb(e.availableBytes)} {e.basis === "free" ? "free for it" : "in all"}
        </span>
        {overBytes > 0 ? (
          <span className="text-red-700 dark:text-red-400">
            <span className="mr-1 inline-block h-2 w-2 rounded-sm bg-red-600" aria-hidden />
            {formatGb(overBytes)} over
          </span>
        ) : null}
      </div>
    </div>
  );
}

function ModelSection({ m, view }: { m: ModelContext; view: LocalContext }) {
  const e = m.estimate;
  const card = m.card;
  const gpuLabel =
    view.gpu.source === "nvidia-smi"
      ? `free of ${formatGb(view.gpu.totalBytes)} on ${view.gpu.names.join(", ")}${m.loaded ? ` (with the ${formatGb(m.loaded.sizeVram)} it holds now)` : ""}`
      : `GPU total, from the gpuVramGb setting`;
  return (
    <section className="mt-3" data-local-context-model={m.model} data-verdict={e?.verdict ?? "unknown"}>
      <h3 className="flex flex-wrap items-baseline gap-x-2 text-sm">
        <span className="font-semibold">{m.model}</span>
        <span className="text-zinc-500">
          {card
            ? [
                card.family ?? card.shape.architecture,
                card.parameterSize,
                card.quantization,
                card.shape.nativeContext ? `native context ${formatCount(card.shape.nativeContext)}` : null,
              ]
                .filter(Boolean)
                .join(" · ")
            : "architecture unknown"}
          {m.isDefault ? " · the default local model" : " · an agent's local model"}
        </span>
      </h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-3 lg:grid-cols-3">
        <Fact
          label="Context"
          testId="context-tokens"
          value={`${formatCount(view.contextTokens)} tokens`}
          hint={
            m.loaded
              ? m.loaded.contextLength
                ? `loaded now with ${formatCount(m.loaded.contextLength)}`
                : "loaded now"
              : "not loaded now"
          }
        />
        <Fact
          label="KV cache type"
          testId="kv-cache-type"
          value={view.kvCacheType}
          hint="as Ollama runs (OLLAMA_KV_CACHE_TYPE)"
        />
        <Fact
          label="KV cache a token"
          testId="kv-per-token"
          value={e ? `${formatCount(Math.round(e.kvBytesPerToken / KB))} KB` : "unknown"}
          hint={e ? `${formatCount(e.kvBytesPerToken)} bytes: ${shapeHint(m, view.kvCacheType)}` : undefined}
        />
        <Fact
          label={`KV cache at ${formatCount(view.contextTokens)}`}
          testId="kv-total"
          value={e ? formatGb(e.kvCacheBytes) : "unknown"}
          hint={e ? `${formatCount(e.kvCacheBytes)} bytes` : undefined}
        />
        <Fact
          label="Weights"
          testId="weights"
          value={m.weightsBytes === null ? "unknown" : formatGb(m.weightsBytes)}
          hint={m.weightsBytes === null ? m.weightsProblem : "Ollama's model list"}
        />
        <Fact
          label="Model + cache"
          testId="model-plus-cache"
          value={e && e.totalBytes !== null ? `${formatGb(e.totalBytes)} of ${formatGb(e.availableBytes)}` : "unknown"}
          hint={gpuLabel}
        />
      </dl>
      <MemoryBar m={m} />
      {!e ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400" data-testid="context-unknown">
          The cache size is unknown: {m.cardProblem}.
        </p>
      ) : e.verdict === "warn" && e.totalBytes !== null ? (
        <div
          data-testid="context-warning"
          className="mt-3 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">
            {m.model} will not fit at {formatCount(view.contextTokens)} tokens: model and cache need{" "}
            {formatGb(e.totalBytes)}, the GPU has {formatGb(e.availableBytes)}
            {e.basis === "free" ? " free for it" : ""}.
          </p>
          <p className="mt-1">
            Ollama then runs part of the model on the CPU, several times slower. Use a smaller context, a quantised
            cache (q8_0 halves it; Ollama needs flash attention for that), or a GPU with more memory.
          </p>
        </div>
      ) : e.verdict === "fits" && e.headroomBytes !== null ? (
        <p className="mt-2 text-sm text-green-700 dark:text-green-400" data-testid="context-fits">
          Fits, with {formatGb(e.headroomBytes)} to spare (Ollama&apos;s compute buffers take a few hundred MB of it).
        </p>
      ) : null}
    </section>
  );
}

export function LocalContextPanel() {
  const trpc = useTRPC();
  const { data: view } = useSuspenseQuery({ ...trpc.health.localContext.queryOptions(), refetchInterval: 60_000 });
  return (
    <Card>
      <div data-testid="local-context">
        <h2 className="font-semibold">Local context</h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          The context is one value per model: Ollama loads a model with one context length, and every local request asks
          for {formatCount(view.contextTokens)} tokens (setting <code>localContextTokens</code>, with{" "}
          {formatCount(view.answerReserveTokens)} kept for the answer). Changing it reloads the model in Ollama on the
          next local turn. Its KV cache takes GPU memory for every token of context, used or not.
        </p>
        {view.models.map((m) => (
          <ModelSection key={m.model} m={m} view={view} />
        ))}
        {view.moreModels.length ? (
          <p className="mt-3 text-xs text-zinc-500">
            Also used by agents, not estimated: {view.moreModels.join(", ")}.
          </p>
        ) : null}
        {view.gpu.source === "setting" ? (
          <p className="mt-3 text-xs text-zinc-500" data-testid="gpu-from-setting">
            GPU memory is the gpuVramGb setting ({formatGb(view.gpu.totalBytes)}): <code>nvidia-smi</code> is not
            available on this host, so free memory is unknown and the whole GPU is counted.
          </p>
        ) : null}
      </div>
    </Card>
  );
}
