// Test helper: an Ollama-compatible server written to Ollama's published API (docs/api.md):
// GET /api/version, /api/tags, /api/ps; POST /api/show (details and model_info, the GGUF
// architecture keys); POST /api/chat streaming (NDJSON, the default) and not, with tool calls,
// thinking and the timing fields (nanoseconds). Answers and failures are set by the test; every
// request is recorded.
import type http from "node:http";
import { sendJson, sleep, startFakeServer, type FakeHandle, type RecordedRequest } from "./fake-server";

export type OllamaReply = {
  content?: string;
  thinking?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
  doneReason?: string;
  /** Really wait this long before answering. */
  delayMs?: number;
  promptTokens?: number;
  outputTokens?: number;
  /** Reported load_duration; by default 2 s when the model was not loaded, else 5 ms. */
  loadDurationMs?: number;
  /** Reported eval_duration; by default 20 ms a token (50 tokens/s). */
  evalDurationMs?: number;
};

export type LoadedModel = { name: string; size?: number; sizeVram?: number; contextLength?: number; expiresAt?: Date };

export type FakeOllama = FakeHandle & {
  setReply(reply: ((body: any) => OllamaReply) | null): void;
  setModels(installed: string[], loaded?: (string | LoadedModel)[]): void;
};

const MODEL_SIZE = 6_300_000_000; // qwen3:8b, Q4_K_M, loaded with a 16k context
const VERSION = "0.14.2";

/** What /api/tags and /api/show publish for a model: its file size, details and model_info (GGUF keys). */
type ModelCard = {
  size: number;
  details: { family: string; parameter_size: string; quantization_level: string };
  modelInfo: Record<string, unknown>;
};

/** The real figures of a few models as Ollama's library publishes them. */
const MODEL_CARDS: Record<string, ModelCard> = {
  "qwen3:8b": {
    size: 5_200_000_000,
    details: { family: "qwen3", parameter_size: "8.2B", quantization_level: "Q4_K_M" },
    modelInfo: {
      "general.architecture": "qwen3",
      "general.basename": "Qwen3",
      "general.file_type": 15,
      "general.parameter_count": 8_190_735_360,
      "general.quantization_version": 2,
      "qwen3.attention.head_count": 32,
      "qwen3.attention.head_count_kv": 8,
      "qwen3.attention.key_length": 128,
      "qwen3.attention.layer_norm_rms_epsilon": 0.000001,
      "qwen3.attention.value_length": 128,
      "qwen3.block_count": 36,
      "qwen3.context_length": 40_960,
      "qwen3.embedding_length": 4096,
      "qwen3.feed_forward_length": 12_288,
      "qwen3.rope.freq_base": 1_000_000,
      "tokenizer.ggml.model": "gpt2",
      "tokenizer.ggml.tokens": null,
    },
  },
  "llama3.1:8b": {
    size: 4_920_753_328,
    details: { family: "llama", parameter_size: "8.0B", quantization_level: "Q4_K_M" },
    modelInfo: {
      "general.architecture": "llama",
      "general.file_type": 15,
      "general.parameter_count": 8_030_261_312,
      "general.quantization_version": 2,
      "llama.attention.head_count": 32,
      "llama.attention.head_count_kv": 8,
      "llama.attention.layer_norm_rms_epsilon": 0.00001,
      "llama.block_count": 32,
      "llama.context_length": 131_072,
      "llama.embedding_length": 4096,
      "llama.feed_forward_length": 14_336,
      "llama.rope.dimension_count": 128,
      "llama.rope.freq_base": 500_000,
      "llama.vocab_size": 128_256,
      "tokenizer.ggml.model": "gpt2",
      "tokenizer.ggml.tokens": null,
    },
  },
  "llama3.2:3b": {
    size: 2_019_393_189,
    details: { family: "llama", parameter_size: "3.2B", quantization_level: "Q4_K_M" },
    modelInfo: {
      "general.architecture": "llama",
      "general.file_type": 15,
      "general.parameter_count": 3_212_749_888,
      "general.quantization_version": 2,
      "llama.attention.head_count": 24,
      "llama.attention.head_count_kv": 8,
      "llama.attention.key_length": 128,
      "llama.attention.layer_norm_rms_epsilon": 0.00001,
      "llama.attention.value_length": 128,
      "llama.block_count": 28,
      "llama.context_length": 131_072,
      "llama.embedding_length": 3072,
      "llama.feed_forward_length": 8192,
      "llama.rope.dimension_count": 128,
      "llama.rope.freq_base": 500_000,
      "llama.vocab_size": 128_256,
      "tokenizer.ggml.model": "gpt2",
      "tokenizer.ggml.tokens": null,
    },
  },
};

/** Models the fake does not know are published as qwen3:8b (a fake has to answer something). */
const cardOf = (name: string): ModelCard => MODEL_CARDS[name] ?? MODEL_CARDS["qwen3:8b"]!;

type ChatMessage = { role: string; content?: string; images?: unknown; tool_calls?: unknown };

function lastUserText(body: { messages?: ChatMessage[] }): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  return typeof user?.content === "string" ? user.content : "";
}

export function defaultOllamaReply(body: { messages?: ChatMessage[] }): OllamaReply {
  const text = lastUserText(body);
  return { content: text.includes("HEARTBEAT_OK") ? "HEARTBEAT_OK" : `ok: ${text.slice(0, 40)}` };
}

const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const ms = (n: number) => Math.round(n * 1e6);

function modelDetails(name: string) {
  const { family, parameter_size, quantization_level } = cardOf(name).details;
  return { parent_model: "", format: "gguf", family, families: [family], parameter_size, quantization_level };
}

export async function startFakeOllama(): Promise<FakeOllama> {
  let reply: ((body: any) => OllamaReply) | null = null;
  let installed = ["qwen3:8b"];
  const loaded = new Map<string, LoadedModel>();

  const chat = async (req: RecordedRequest, res: http.ServerResponse) => {
    const body = req.body as {
      model?: string;
      messages?: ChatMessage[];
      stream?: boolean;
      keep_alive?: string | number;
      options?: { num_ctx?: number };
    } | null;
    if (!body || typeof body !== "object" || !body.model) return sendJson(res, 400, { error: "model is required" });
    if (!installed.includes(body.model))
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    const custom = reply?.(body);
    const r: OllamaReply = custom ? { content: "", ...custom } : defaultOllamaReply(body);
    if (r.delayMs) await sleep(r.delayMs);

    const wasLoaded = loaded.has(body.model);
    loaded.set(body.model, {
      name: body.model,
      size: MODEL_SIZE,
      sizeVram: MODEL_SIZE,
      contextLength: body.options?.num_ctx ?? 4096,
      expiresAt: new Date(Date.now() + 30 * 60_000),
    });
    const promptText = (body.messages ?? []).map((m) => (typeof m.content === "string" ? m.content : "")).join("\n");
    const promptTokens = r.promptTokens ?? estimateTokens(promptText);
    const outputTokens =
      r.outputTokens ?? estimateTokens((r.content ?? "") + (r.thinking ?? "") + JSON.stringify(r.toolCalls ?? ""));
    const loadMs = r.loadDurationMs ?? (wasLoaded ? 5 : 2_000);
    const evalMs = r.evalDurationMs ?? outputTokens * 20;
    const promptEvalMs = Math.max(1, Math.round(promptTokens / 50));
    const timings = {
      total_duration: ms(loadMs + promptEvalMs + evalMs),
      load_duration: ms(loadMs),
      prompt_eval_count: promptTokens,
      prompt_eval_duration: ms(promptEvalMs),
      eval_count: outputTokens,
      eval_duration: ms(evalMs),
    };
    const toolCalls = r.toolCalls?.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
    const createdAt = () => new Date().toISOString();
    const doneReason = r.doneReason ?? "stop";

    if (body.stream === false) {
      const message: Record<string, unknown> = { role: "assistant", content: r.content ?? "" };
      if (r.thinking) message.thinking = r.thinking;
      if (toolCalls) message.tool_calls = toolCalls;
      return sendJson(res, 200, {
        model: body.model,
        created_at: createdAt(),
        message,
        done: true,
        done_reason: doneReason,
        ...timings,
      });
    }

    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
    const pieces = (s: string) => s.match(/[\s\S]{1,8}/g) ?? [];
    for (const p of pieces(r.thinking ?? ""))
      line({
        model: body.model,
        created_at: createdAt(),
        message: { role: "assistant", content: "", thinking: p },
        done: false,
      });
    for (const p of pieces(r.content ?? ""))
      line({ model: body.model, created_at: createdAt(), message: { role: "assistant", content: p }, done: false });
    if (toolCalls)
      line({
        model: body.model,
        created_at: createdAt(),
        message: { role: "assistant", content: "", tool_calls: toolCalls },
        done: false,
      });
    line({
      model: body.model,
      created_at: createdAt(),
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: doneReason,
      ...timings,
    });
    res.end();
  };

  const handle = await startFakeServer({
    errorBody: (status) => ({ error: status === 404 ? "not found" : `fake ollama answered ${status}` }),
    routes: {
      "GET /api/version": (_req, res) => sendJson(res, 200, { version: VERSION }),
      "GET /api/tags": (_req, res) =>
        sendJson(res, 200, {
          models: installed.map((name) => ({
            name,
            model: name,
            modified_at: "2026-10-01T12:00:00Z",
            size: cardOf(name).size,
            digest: `sha256:${Buffer.from(name).toString("hex").padEnd(64, "0")}`,
            details: modelDetails(name),
          })),
        }),
      "GET /api/ps": (_req, res) =>
        sendJson(res, 200, {
          models: [...loaded.values()].map((m) => ({
            name: m.name,
            model: m.name,
            size: m.size ?? MODEL_SIZE,
            digest: `sha256:${Buffer.from(m.name).toString("hex").padEnd(64, "0")}`,
            details: modelDetails(m.name),
            expires_at: (m.expiresAt ?? new Date(Date.now() + 30 * 60_000)).toISOString(),
            size_vram: m.sizeVram ?? m.size ?? MODEL_SIZE,
            ...(m.contextLength ? { context_length: m.contextLength } : {}),
          })),
        }),
      "POST /api/chat": chat,
      // docs/api.md "Show Model Information": {"model": name} (older clients send "name"); 404 when not installed.
      "POST /api/show": (req, res) => {
        const body = req.body as { model?: string; name?: string } | null;
        const name = body?.model ?? body?.name;
        if (!name) return sendJson(res, 400, { error: "model is required" });
        if (!installed.includes(name)) return sendJson(res, 404, { error: `model '${name}' not found` });
        const card = cardOf(name);
        sendJson(res, 200, {
          license: "Apache License 2.0",
          modelfile: `# Modelfile generated by "ollama show"\nFROM ${name}\n`,
          parameters: 'repeat_penalty 1\nstop "<|im_start|>"\nstop "<|im_end|>"\ntemperature 0.6\ntop_k 20\ntop_p 0.95',
          template: "{{ .Prompt }}",
          details: modelDetails(name),
          model_info: card.modelInfo,
          capabilities: ["completion", "tools", "thinking"],
          modified_at: "2026-10-01T12:00:00Z",
        });
      },
    },
  });

  return Object.assign(handle, {
    setReply(fn: ((body: any) => OllamaReply) | null) {
      reply = fn;
    },
    setModels(names: string[], loadedModels: (string | LoadedModel)[] = []) {
      installed = [...names];
      loaded.clear();
      for (const m of loadedModels) {
        const model = typeof m === "string" ? { name: m } : m;
        loaded.set(model.name, model);
      }
    },
  });
}
