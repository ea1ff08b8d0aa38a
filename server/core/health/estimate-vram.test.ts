import { describe, expect, it } from "vitest";
import {
  estimateVram,
  kvBytesPerElement,
  kvCacheBytes,
  kvCacheBytesPerToken,
  readModelShape,
  type ModelShape,
} from "./estimate-vram";

const GiB = 1024 ** 3;

// Ollama's published figures (/api/show model_info).
const qwen3_8b: ModelShape = {
  architecture: "qwen3",
  layers: 36,
  kvHeads: 8,
  keyLength: 128,
  valueLength: 128,
  nativeContext: 40_960,
};
const llama31_8b: ModelShape = {
  architecture: "llama",
  layers: 32,
  kvHeads: 8,
  keyLength: 128,
  valueLength: 128,
  nativeContext: 131_072,
};

describe("KV cache size", () => {
  it("is 2 x layers x KV heads x head size x bytes per token: qwen3:8b", () => {
    // 36 x 8 x (128 + 128) = 73,728 elements a token.
    expect(kvCacheBytesPerToken(qwen3_8b, "f16")).toBe(147_456);
    expect(kvCacheBytesPerToken(qwen3_8b, "q8_0")).toBe(78_336); // 73,728 x 34 / 32
    expect(kvCacheBytesPerToken(qwen3_8b, "q4_0")).toBe(41_472); // 73,728 x 18 / 32
    expect(kvCacheBytes(qwen3_8b, "f16", 32_768)).toBe(4_831_838_208); // 4.5 GiB
    expect(kvCacheBytes(qwen3_8b, "q8_0", 32_768)).toBe(2_566_914_048);
    expect(kvCacheBytes(qwen3_8b, "q4_0", 32_768)).toBe(1_358_954_496);
    expect(kvCacheBytes(qwen3_8b, "f16", 40_960)).toBe(6_039_797_760); // 5.625 GiB
  });

  it("llama3.1:8b: 32 layers, 8 KV heads, head size 128", () => {
    expect(kvCacheBytesPerToken(llama31_8b, "f16")).toBe(131_072);
    expect(kvCacheBytesPerToken(llama31_8b, "q8_0")).toBe(69_632);
    expect(kvCacheBytesPerToken(llama31_8b, "q4_0")).toBe(36_864);
    expect(kvCacheBytes(llama31_8b, "f16", 131_072)).toBe(16 * GiB);
    expect(kvCacheBytes(llama31_8b, "q8_0", 131_072)).toBe(9_126_805_504); // 8.5 GiB
    expect(kvCacheBytes(llama31_8b, "q4_0", 8_192)).toBe(301_989_888); // 288 MiB
  });

  it("uses key and value lengths separately, and per-layer KV heads", () => {
    const uneven: ModelShape = { ...qwen3_8b, layers: 2, kvHeads: 4, keyLength: 192, valueLength: 128 };
    expect(kvCacheBytesPerToken(uneven, "f16")).toBe(2 * 4 * (192 + 128) * 2); // 5,120
    const perLayer: ModelShape = { ...qwen3_8b, layers: 4, kvHeads: [8, 8, 0, 8], keyLength: 64, valueLength: 64 };
    expect(kvCacheBytesPerToken(perLayer, "f16")).toBe(24 * 128 * 2); // 6,144
  });

  it("stores ggml's block formats per 32 elements", () => {
    expect(kvBytesPerElement("f16")).toBe(2);
    expect(kvBytesPerElement("q8_0")).toBe(1.0625);
    expect(kvBytesPerElement("q4_0")).toBe(0.5625);
  });
});

describe("estimateVram", () => {
  const weights = 5_200_000_000; // qwen3:8b Q4_K_M as Ollama lists it

  it("fits model + cache in the GPU's total memory when free memory is unknown", () => {
    const e = estimateVram({
      shape: qwen3_8b,
      weightsBytes: weights,
      kvCacheType: "f16",
      contextTokens: 32_768,
      gpu: { totalBytes: 12 * GiB, freeBytes: null },
    });
    expect(e).toEqual({
      contextTokens: 32_768,
      kvCacheType: "f16",
      kvBytesPerToken: 147_456,
      kvCacheBytes: 4_831_838_208,
      weightsBytes: weights,
      totalBytes: 10_031_838_208,
      availableBytes: 12_884_901_888,
      basis: "total",
      headroomBytes: 2_853_063_680,
      verdict: "fits",
    });
  });

  it("warns when model + cache exceed the budget, and a quantised cache makes it fit", () => {
    const gpu = { totalBytes: 8 * GiB, freeBytes: null };
    const f16 = estimateVram({
      shape: qwen3_8b,
      weightsBytes: weights,
      kvCacheType: "f16",
      contextTokens: 32_768,
      gpu,
    });
    expect(f16).toMatchObject({ verdict: "warn", headroomBytes: 8 * GiB - 10_031_838_208 });
    const q8 = estimateVram({
      shape: qwen3_8b,
      weightsBytes: weights,
      kvCacheType: "q8_0",
      contextTokens: 32_768,
      gpu,
    });
    expect(q8).toMatchObject({ verdict: "fits", totalBytes: weights + 2_566_914_048 });
  });

  it("counts free memory plus what the model holds now (freed on reload), never more than the total", () => {
    const e = estimateVram({
      shape: qwen3_8b,
      weightsBytes: weights,
      kvCacheType: "f16",
      contextTokens: 32_768,
      gpu: { totalBytes: 12 * GiB, freeBytes: 3 * GiB, heldByModelBytes: 6 * GiB },
    });
    expect(e).toMatchObject({ basis: "free", availableBytes: 9 * GiB, verdict: "warn" });
    const capped = estimateVram({
      shape: qwen3_8b,
      weightsBytes: weights,
      kvCacheType: "f16",
      contextTokens: 32_768,
      gpu: { totalBytes: 12 * GiB, freeBytes: 10 * GiB, heldByModelBytes: 6 * GiB },
    });
    expect(capped.availableBytes).toBe(12 * GiB);
  });

  it("is unknown without the weights' size, the cache still estimated", () => {
    const e = estimateVram({
      shape: qwen3_8b,
      weightsBytes: null,
      kvCacheType: "f16",
      contextTokens: 32_768,
      gpu: { totalBytes: 12 * GiB, freeBytes: null },
    });
    expect(e).toMatchObject({ verdict: "unknown", totalBytes: null, headroomBytes: null, kvCacheBytes: 4_831_838_208 });
  });
});

describe("readModelShape", () => {
  const qwen3Info = {
    "general.architecture": "qwen3",
    "general.parameter_count": 8_190_735_360,
    "qwen3.block_count": 36,
    "qwen3.attention.head_count": 32,
    "qwen3.attention.head_count_kv": 8,
    "qwen3.attention.key_length": 128,
    "qwen3.attention.value_length": 128,
    "qwen3.embedding_length": 4096,
    "qwen3.context_length": 40_960,
  };

  it("reads Ollama's model_info", () => {
    expect(readModelShape(qwen3Info)).toEqual({ ok: true, shape: qwen3_8b });
    expect(readModelShape(new Map(Object.entries(qwen3Info)))).toEqual({ ok: true, shape: qwen3_8b });
  });

  it("takes the head size from embedding_length / head_count and KV heads from head_count when not published", () => {
    // llama2:7b's model_info publishes neither key_length nor head_count_kv: 32 heads of 128.
    const r = readModelShape({
      "general.architecture": "llama",
      "llama.block_count": 32,
      "llama.attention.head_count": 32,
      "llama.embedding_length": 4096,
      "llama.context_length": 4096,
    });
    expect(r).toEqual({
      ok: true,
      shape: { architecture: "llama", layers: 32, kvHeads: 32, keyLength: 128, valueLength: 128, nativeContext: 4096 },
    });
    if (r.ok) expect(kvCacheBytesPerToken(r.shape, "f16")).toBe(524_288); // half a MiB a token
  });

  it("reads per-layer KV head counts", () => {
    const r = readModelShape({
      "general.architecture": "hybrid",
      "hybrid.block_count": 4,
      "hybrid.attention.head_count": [16, 16, 16, 16],
      "hybrid.attention.head_count_kv": [4, 0, 4, 0],
      "hybrid.embedding_length": 2048,
    });
    expect(r).toEqual({
      ok: true,
      shape: {
        architecture: "hybrid",
        layers: 4,
        kvHeads: [4, 0, 4, 0],
        keyLength: 128,
        valueLength: 128,
        nativeContext: null,
      },
    });
  });

  it("says what is missing", () => {
    expect(readModelShape({})).toEqual({ ok: false, reason: "model_info has no general.architecture" });
    expect(readModelShape(null)).toEqual({ ok: false, reason: "model_info has no general.architecture" });
    expect(readModelShape({ "general.architecture": "qwen3", "qwen3.attention.head_count": 32 })).toEqual({
      ok: false,
      reason: "model_info has no usable qwen3.block_count",
    });
    expect(
      readModelShape({ "general.architecture": "qwen3", "qwen3.block_count": 36, "qwen3.attention.head_count": 32 }),
    ).toEqual({ ok: false, reason: "model_info has no usable qwen3.attention.key_length" });
  });
});
