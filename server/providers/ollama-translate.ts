// Anthropic Messages <-> Ollama's native chat API. The native API (not Ollama's Anthropic-compatible
// surface) is what lets Offload set the context length and keep-alive per request and read the
// model's load time. Takes only requests a local model can be given faithfully (see
// core/gateway/read-local-request.ts); cache_control, metadata and the like are left out.
import type { ChatRequest, ChatResponse, Message as OllamaMessage, Tool as OllamaTool } from "ollama";
import type { LocalRequest, LocalTextBlock } from "@/server/core/gateway/read-local-request";
import {
  messageId,
  toolUseId,
  type AnthropicAnswerUsage,
  type AnthropicBlock,
  type AnthropicMessage,
} from "./anthropic-message";

export type LocalOptions = { model: string; contextTokens?: number; keepAliveMinutes?: number };

function textOf(content: string | readonly { type: string; text?: string }[] | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content
    .filter((b): b is LocalTextBlock => b.type === "text")
    .map((b) => b.text)
    .join("\n");
}

export function toOllamaChat(
  body: LocalRequest,
  local: LocalOptions,
  stream: boolean,
): ChatRequest & { stream: boolean } {
  const messages: OllamaMessage[] = [];
  const system = textOf(body.system);
  if (system) messages.push({ role: "system", content: system });
  const toolNames = new Map<string, string>();
  for (const m of body.messages) {
    if (typeof m.content === "string") {
      messages.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === "assistant") {
      const calls = m.content.filter((b) => b.type === "tool_use");
      for (const c of calls) toolNames.set(c.id, c.name);
      const thinking = m.content.flatMap((b) => (b.type === "thinking" ? [b.thinking] : [])).join("\n");
      messages.push({
        role: "assistant",
        content: textOf(m.content),
        ...(thinking ? { thinking } : {}),
        ...(calls.length
          ? { tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: c.input ?? {} } })) }
          : {}),
      });
      continue;
    }
    for (const r of m.content) {
      if (r.type !== "tool_result") continue;
      messages.push({
        role: "tool",
        content: (r.is_error ? "Error: " : "") + textOf(r.content),
        tool_name: toolNames.get(r.tool_use_id) ?? "tool",
      });
    }
    const text = textOf(m.content);
    const images = m.content.flatMap((b) => (b.type === "image" ? [b.source.data] : []));
    if (text || images.length) messages.push({ role: "user", content: text, ...(images.length ? { images } : {}) });
  }
  const tools: OllamaTool[] | undefined = body.tools?.map((t) => ({
    type: "function",
    function: {
      name: t.name,
      description: typeof t.description === "string" ? t.description : undefined,
      parameters: t.input_schema as OllamaTool["function"]["parameters"],
    },
  }));
  return {
    model: local.model,
    messages,
    stream,
    ...(tools?.length ? { tools } : {}),
    think: body.thinking?.type === "enabled",
    ...(local.keepAliveMinutes !== undefined ? { keep_alive: `${local.keepAliveMinutes}m` } : {}),
    options: {
      ...(local.contextTokens !== undefined ? { num_ctx: local.contextTokens } : {}),
      num_predict: body.max_tokens,
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
      ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
      ...(body.top_k !== undefined ? { top_k: body.top_k } : {}),
      ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    },
  };
}

/** Qwen-style models may inline their reasoning as <think>...</think>; it is not part of the answer. */
export function stripThink(text: string): { text: string; thinking: string } {
  let thinking = "";
  const out = text.replace(/<think>([\s\S]*?)<\/think>\s*/g, (_, t: string) => {
    thinking += t;
    return "";
  });
  return { text: out, thinking };
}

export function stopReasonOf(doneReason: string | undefined, hasToolCalls: boolean): AnthropicMessage["stop_reason"] {
  if (hasToolCalls) return "tool_use";
  if (doneReason === "length") return "max_tokens";
  return "end_turn";
}

export function usageOf(r: Pick<ChatResponse, "prompt_eval_count" | "eval_count">): AnthropicAnswerUsage {
  return {
    input_tokens: r.prompt_eval_count ?? 0,
    output_tokens: r.eval_count ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

export function fromOllamaChat(r: ChatResponse, thinkingRequested: boolean): AnthropicMessage {
  const content: AnthropicBlock[] = [];
  const { text, thinking: inline } = stripThink(r.message?.content ?? "");
  const thinking = (r.message?.thinking ?? "") + inline;
  if (thinkingRequested && thinking) content.push({ type: "thinking", thinking, signature: "" });
  if (text.trim()) content.push({ type: "text", text });
  const calls = r.message?.tool_calls ?? [];
  for (const c of calls)
    content.push({
      type: "tool_use",
      id: toolUseId(),
      name: c.function.name,
      input: (c.function.arguments ?? {}) as Record<string, unknown>,
    });
  return {
    id: messageId(),
    type: "message",
    role: "assistant",
    model: r.model,
    content,
    stop_reason: stopReasonOf(r.done_reason, calls.length > 0),
    stop_sequence: null,
    usage: usageOf(r),
  };
}

/** Nanoseconds (Ollama's durations) to whole milliseconds. */
export const nsToMs = (ns: number | undefined) => (ns && ns > 0 ? Math.round(ns / 1e6) : 0);
