// What the local context costs in GPU memory, pure: the KV cache a context needs, from the model's
// architecture as Ollama publishes it (/api/show's model_info), plus the weights, against the GPU's
// memory. The cache holds a key and a value vector per layer, KV head and token:
//   bytes = layers x KV heads x (key length + value length) x context tokens x bytes per element
// (= 2 x layers x KV heads x head size x tokens x bytes when keys and values have one size), with
// f16 at 2 bytes an element and ggml's block formats q8_0 (34 bytes per 32 elements) and q4_0 (18 per 32).
// An estimate: Ollama also allocates compute buffers (a few hundred MB), and models with sliding-window
// or compressed (MLA) attention keep smaller caches than this says.
import type { KvCacheType } from "@/server/core/settings-defaults";

/** What the cache size depends on, from a model's published architecture. */
export type ModelShape = {
  /** general.architecture, e.g. "qwen3". */
  architecture: string;
  /** Transformer layers (<arch>.block_count). */
  layers: number;
  /** KV heads: one count for every layer, or one per layer for models that vary it (<arch>.attention.head_count_kv). */
  kvHeads: number | readonly number[];
  /** Elements of a key vector per head (<arch>.attention.key_length, else embedding_length / head_count). */
  keyLength: number;
  /** Elements of a value vector per head (<arch>.attention.value_length, else the key length). */
  valueLength: number;
  /** The context the model was trained for (<arch>.context_length); null when not published. */
  nativeContext: number | null;
};

/** Bytes per cache element as a fraction (ggml stores q8_0 and q4_0 in blocks of 32 elements with an f16 scale). */
const BYTES_PER_ELEMENT: Readonly<Record<KvCacheType, { num: number; den: number }>> = {
  f16: { num: 2, den: 1 },
  q8_0: { num: 34, den: 32 },
  q4_0: { num: 18, den: 32 },
};

/** Bytes per cache element of a KV cache type: 2, 1.0625, 0.5625. */
export function kvBytesPerElement(type: KvCacheType): number {
  const b = BYTES_PER_ELEMENT[type];
  return b.num / b.den;
}

/** Cache elements one token takes, over every layer, keys and values. */
function elementsPerToken(shape: ModelShape): number {
  const heads =
    typeof shape.kvHeads === "number" ? shape.layers * shape.kvHeads : shape.kvHeads.reduce((s, h) => s + h, 0);
  return heads * (shape.keyLength + shape.valueLength);
}

/** KV cache bytes one token of context takes (qwen3:8b at f16: 36 x 8 x (128 + 128) x 2 = 147,456). */
export function kvCacheBytesPerToken(shape: ModelShape, type: KvCacheType): number {
  const b = BYTES_PER_ELEMENT[type];
  return (elementsPerToken(shape) * b.num) / b.den;
}

/** KV cache bytes for a context of `contextTokens` tokens, rounded up to a whole byte. */
export function kvCacheBytes(shape: ModelShape, type: KvCacheType, contextTokens: number): number {
  const b = BYTES_PER_ELEMENT[type];
  return Math.ceil((elementsPerToken(shape) * contextTokens * b.num) / b.den);
}

/** The GPU's memory: total, and free when measured (nvidia-smi). */
export type GpuMemory = {
  totalBytes: number;
  /** Free right now; null when unknown (no nvidia-smi): the total is the budget then. */
  freeBytes: number | null;
  /** What this model holds on the GPU now (/api/ps size_vram): freed when Ollama reloads it with another context. */
  heldByModelBytes?: number;
};

export type VramEstimate = {
  contextTokens: number;
  kvCacheType: KvCacheType;
  kvBytesPerToken: number;
  kvCacheBytes: number;
  /** The weights' size (Ollama's model list); null when unknown. */
  weightsBytes: number | null;
  /** Weights + cache; null when the weights are unknown. */
  totalBytes: number | null;
  /** The budget: free memory plus what the model holds now (at most the total), or the total when free is unknown. */
  availableBytes: number;
  basis: "free" | "total";
  /** Budget minus model and cache (negative: short by that much); null when the weights are unknown. */
  headroomBytes: number | null;
  /** fits: model + cache within the budget; warn: it will not fit (Ollama puts layers on the CPU, slow); unknown: no weights size. */
  verdict: "fits" | "warn" | "unknown";
};

export type VramInput = {
  shape: ModelShape;
  weightsBytes: number | null;
  kvCacheType: KvCacheType;
  contextTokens: number;
  gpu: GpuMemory;
};

/** Model + cache at a context against the GPU's free (or, when unknown, total) memory. */
export function estimateVram(input: VramInput): VramEstimate {
  const { shape, weightsBytes, kvCacheType, contextTokens, gpu } = input;
  const cache = kvCacheBytes(shape, kvCacheType, contextTokens);
  const basis = gpu.freeBytes === null ? "total" : "free";
  const availableBytes =
    gpu.freeBytes === null ? gpu.totalBytes : Math.min(gpu.totalBytes, gpu.freeBytes + (gpu.heldByModelBytes ?? 0));
  const totalBytes = weightsBytes === null ? null : weightsBytes + cache;
  const headroomBytes = totalBytes === null ? null : availableBytes - totalBytes;
  return {
    contextTokens,
    kvCacheType,
    kvBytesPerToken: kvCacheBytesPerToken(shape, kvCacheType),
    kvCacheBytes: cache,
    weightsBytes,
    totalBytes,
    availableBytes,
    basis,
    headroomBytes,
    verdict: headroomBytes === null ? "unknown" : headroomBytes >= 0 ? "fits" : "warn",
  };
}

export type ShapeReading = { ok: true; shape: ModelShape } | { ok: false; reason: string };

const positiveInt = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) && v > 0 ? v : null);

/** A count that may be published once or per layer (an array, zeros allowed for layers without attention). */
function countOrPerLayer(v: unknown, layers: number): number | number[] | null {
  if (Array.isArray(v)) {
    if (v.length !== layers || !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) return null;
    return v.every((x) => x === v[0]) ? (v[0] as number) : (v as number[]);
  }
  return positiveInt(v);
}

/** The largest of a per-layer count (the head size divides the embedding by the query heads). */
const most = (v: number | number[]): number => (typeof v === "number" ? v : Math.max(...v));

/**
 * The cache-relevant shape from Ollama's /api/show model_info (a JSON object; the `ollama` client
 * types it as a Map). Missing key and value lengths follow llama.cpp's defaults: the head size is
 * embedding_length / head_count, and head_count_kv defaults to head_count.
 */
export function readModelShape(modelInfo: unknown): ShapeReading {
  const info: Record<string, unknown> =
    modelInfo instanceof Map
      ? Object.fromEntries(modelInfo)
      : modelInfo && typeof modelInfo === "object"
        ? (modelInfo as Record<string, unknown>)
        : {};
  const arch = info["general.architecture"];
  if (typeof arch !== "string" || !arch) return { ok: false, reason: "model_info has no general.architecture" };
  const key = (k: string) => `${arch}.${k}`;
  const missing = (k: string): ShapeReading => ({ ok: false, reason: `model_info has no usable ${key(k)}` });

  const layers = positiveInt(info[key("block_count")]);
  if (layers === null) return missing("block_count");
  const heads = countOrPerLayer(info[key("attention.head_count")], layers);
  const kvRaw = info[key("attention.head_count_kv")];
  const kvHeads = kvRaw === undefined ? heads : countOrPerLayer(kvRaw, layers);
  if (kvHeads === null) return missing(kvRaw === undefined ? "attention.head_count" : "attention.head_count_kv");

  let keyLength = positiveInt(info[key("attention.key_length")]);
  if (keyLength === null) {
    const embedding = positiveInt(info[key("embedding_length")]);
    if (embedding === null || heads === null || most(heads) === 0) return missing("attention.key_length");
    keyLength = Math.floor(embedding / most(heads));
  }
  const valueLength = positiveInt(info[key("attention.value_length")]) ?? keyLength;
  return {
    ok: true,
    shape: {
      architecture: arch,
      layers,
      kvHeads,
      keyLength,
      valueLength,
      nativeContext: positiveInt(info[key("context_length")]),
    },
  };
}
