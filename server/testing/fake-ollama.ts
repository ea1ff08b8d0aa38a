// Test helper: an Ollama-compatible server written to Ollama's published API (docs/api.md):
// GET /api/version, /api/tags, /api/ps; POST /api/chat streaming (NDJSON, the default) and not,
// with tool calls, thinking and the timing fields (nanoseconds). Answers and failures are set by
// the test; every request is recorded.
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

function modelDetails() {
  return {
    parent_model: "",
    format: "gguf",
    family: "qwen3",
    families: ["qwen3"],
    parameter_size: "8.2B",
    quantization_level: "Q4_K_M",
  };
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
            size: 5_200_000_000,
            digest: `sha256:${Buffer.from(name).toString("hex").padEnd(64, "0")}`,
            details: modelDetails(),
          })),
        }),
      "GET /api/ps": (_req, res) =>
        sendJson(res, 200, {
          models: [...loaded.values()].map((m) => ({
            name: m.name,
            model: m.name,
            size: m.size ?? MODEL_SIZE,
            digest: `sha256:${Buffer.from(m.name).toString("hex").padEnd(64, "0")}`,
            details: modelDetails(),
            expires_at: (m.expiresAt ?? new Date(Date.now() + 30 * 60_000)).toISOString(),
            size_vram: m.sizeVram ?? m.size ?? MODEL_SIZE,
            ...(m.contextLength ? { context_length: m.contextLength } : {}),
          })),
        }),
      "POST /api/chat": chat,
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
