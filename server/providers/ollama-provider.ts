// The local model behind the provider interface: Anthropic Messages in, Ollama's native chat out
// (translated by ollama-translate.ts), and its answer back as an Anthropic message or event
// stream. Also what the health probe reads (version, installed and loaded models).
import "server-only";
import type { ChatResponse } from "ollama";
import { estimateTokens } from "@/server/core/gateway/local-request-policy";
import { promptCharacters } from "@/server/core/gateway/messages-request";
import { readLocalRequest, type LocalRequest } from "@/server/core/gateway/read-local-request";
import { env } from "@/server/process/env";
import { messageId, toolUseId, type AnthropicMessage } from "./anthropic-message";
import { AnthropicSseWriter } from "./anthropic-sse-writer";
import { ollamaClient } from "./ollama-client";
import { fromOllamaChat, nsToMs, stopReasonOf, toOllamaChat, usageOf } from "./ollama-translate";
import {
  describeCommonError,
  emptyMeter,
  ProviderError,
  type CountCall,
  type MessagesCall,
  type MessagesProvider,
  type Meter,
  type ProviderAnswer,
  type ProviderFailure,
  type ProviderStream,
  type StreamEnd,
} from "./provider";

const JSON_HEADERS = () => new Headers({ "content-type": "application/json" });
const SSE_HEADERS = () =>
  new Headers({ "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
const encoder = new TextEncoder();

export type OllamaInventory = {
  version: string;
  installed: { name: string; size: number }[];
  loaded: {
    name: string;
    size: number;
    sizeVram: number;
    expiresAt: string | null;
    contextLength: number | null;
  }[];
};

export type OllamaProvider = MessagesProvider & {
  /** Version, installed and loaded models (GET /api/version, /api/tags, /api/ps). */
  inventory(signal: AbortSignal): Promise<OllamaInventory>;
};

function localRequestOf(call: MessagesCall): LocalRequest {
  const reading = readLocalRequest(call.body);
  if (!reading.ok)
    throw new ProviderError("unsupported", `the local model cannot take this request: ${reading.problem}`);
  return reading.request;
}

function timingsOf(r: Pick<ChatResponse, "load_duration" | "prompt_eval_duration" | "eval_duration">) {
  return {
    loadMs: nsToMs(r.load_duration),
    generationMs: nsToMs(r.prompt_eval_duration) + nsToMs(r.eval_duration),
    evalMs: nsToMs(r.eval_duration),
  };
}

function meterOf(message: AnthropicMessage, r: ChatResponse): Meter {
  return { model: message.model, usage: message.usage, ...timingsOf(r) };
}

function shapeError(what: string): ProviderError {
  return new ProviderError("malformed", `${what} is not in Ollama's shape`);
}

/** `counted: false`: the health probes' provider, whose requests are not counted as local requests in flight. */
export function ollamaProvider(host: string = env().OLLAMA_HOST, options: { counted?: boolean } = {}): OllamaProvider {
  const describeError = (err: unknown): ProviderFailure => {
    const common = describeCommonError(err);
    if (common) return common;
    const e = err as { name?: string; message?: string; status_code?: number; error?: string };
    if (typeof e?.status_code === "number")
      return { kind: "http", status: e.status_code, message: (e.error ?? e.message ?? "").slice(0, 200) };
    if (e?.name === "SyntaxError") return { kind: "malformed", message: (e.message ?? "").slice(0, 120) };
    return { kind: "other", message: (e?.message ?? String(err)).slice(0, 200) };
  };

  const send = async (call: MessagesCall): Promise<ProviderAnswer> => {
    const request = localRequestOf(call);
    const chat = toOllamaChat(request, { model: call.model, ...call.local }, false);
    const r = await ollamaClient(call.signal, host, options).chat({ ...chat, stream: false });
    if (!r || typeof r !== "object" || !r.message) throw shapeError("the chat answer");
    const message = fromOllamaChat(r, request.thinking?.type === "enabled");
    return {
      status: 200,
      headers: JSON_HEADERS(),
      bytes: encoder.encode(JSON.stringify(message)),
      message,
      meter: meterOf(message, r),
      error: null,
    };
  };

  /** Streams as Ollama generates; resolves once the first chunk came, so that a failure up to then can still go elsewhere. */
  const stream = async (call: MessagesCall): Promise<ProviderStream> => {
    const request = localRequestOf(call);
    const cut = new AbortController();
    const signal = AbortSignal.any([call.signal, cut.signal]);
    const chat = toOllamaChat(request, { model: call.model, ...call.local }, true);
    const it = (await ollamaClient(signal, host, options).chat({ ...chat, stream: true }))[Symbol.asyncIterator]();
    const first = await it.next();
    const thinkingRequested = request.thinking?.type === "enabled";
    const model = first.value?.model ?? call.model;
    let settle!: (end: StreamEnd) => void;
    const end = new Promise<StreamEnd>((resolve) => (settle = resolve));
    let settled = false;
    const finish = (e: StreamEnd) => {
      if (!settled) {
        settled = true;
        settle(e);
      }
    };
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const writer = new AnthropicSseWriter((c) => controller.enqueue(c));
        const msgId = messageId();
        writer.start(msgId, model);
        let inThink = false;
        const toolCalls: AnthropicMessage["content"] = [];
        try {
          for (let step = first; !step.done; step = await it.next()) {
            const chunk = step.value;
            if (chunk.message?.thinking && thinkingRequested) writer.thinking(chunk.message.thinking);
            let piece = chunk.message?.content ?? "";
            // Inline <think> blocks are reasoning, not answer.
            if (piece.includes("<think>")) inThink = true;
            if (inThink) {
              const close = piece.indexOf("</think>");
              if (close < 0) piece = "";
              else {
                piece = piece.slice(close + "</think>".length).replace(/^\s+/, "");
                inThink = false;
              }
            }
            if (piece) writer.text(piece);
            for (const c of chunk.message?.tool_calls ?? []) {
              const block = {
                type: "tool_use" as const,
                id: toolUseId(),
                name: c.function.name,
                input: (c.function.arguments ?? {}) as Record<string, unknown>,
              };
              toolCalls.push(block);
              writer.toolUse(block.id, block.name, block.input);
            }
            if (chunk.done) {
              const usage = usageOf(chunk);
              writer.finish(stopReasonOf(chunk.done_reason, toolCalls.length > 0), usage);
              finish({ status: "ok", meter: { model, usage, ...timingsOf(chunk) }, error: null });
            }
          }
          if (!settled) throw shapeError("a chat stream without its final chunk");
          controller.close();
        } catch (err) {
          if (settled) return; // cancelled by the reader
          const failure = describeError(err);
          const status = call.signal.aborted || failure.kind === "cancelled" ? "cancelled" : "error";
          finish({ status, meter: emptyMeter(model), error: `ollama: ${failure.message}` });
          try {
            writer.error("api_error", `the local model broke off: ${failure.message}`);
            controller.close();
          } catch {
            // the reader is gone
          }
        }
      },
      cancel() {
        finish({
          status: "cancelled",
          meter: emptyMeter(model),
          error: "the agent disconnected before the end of the stream",
        });
        cut.abort();
      },
    });
    return { status: 200, headers: SSE_HEADERS(), body, end };
  };

  const count = async (call: CountCall): Promise<ProviderAnswer> => {
    const input = estimateTokens(promptCharacters(call.body));
    const answer = { input_tokens: input, estimated: true };
    return {
      status: 200,
      headers: JSON_HEADERS(),
      bytes: encoder.encode(JSON.stringify(answer)),
      message: null,
      meter: { ...emptyMeter(call.model), usage: { input_tokens: input } },
      error: null,
    };
  };

  const inventory = async (signal: AbortSignal): Promise<OllamaInventory> => {
    const client = ollamaClient(signal, host, options);
    const [version, tags, ps] = await Promise.all([client.version(), client.list(), client.ps()]);
    if (typeof version?.version !== "string") throw shapeError("/api/version");
    if (!Array.isArray(tags?.models)) throw shapeError("/api/tags");
    if (!Array.isArray(ps?.models)) throw shapeError("/api/ps");
    return {
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
    };
  };

  return { send, stream, count, describeError, inventory };
}
