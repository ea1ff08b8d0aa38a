// Anthropic Messages <-> Ollama's native chat API. The native API (not Ollama's Anthropic-compatible
// surface) is what lets Offload set the context length and keep-alive per request and read the
// model's load time. cache_control, metadata and other fields Ollama does not know are dropped.
import crypto from "node:crypto";
import type { ChatRequest, ChatResponse, Message as OllamaMessage, Tool as OllamaTool } from "ollama";
import { textOf, type ContentBlock, type MessagesRequest } from "./messages-request";

export type LocalOptions = { model: string; contextTokens: number; keepAliveMinutes: number };

export type AnthropicUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
};

export type AnthropicBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export type AnthropicMessage = {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicBlock[];
  stop_reason: "end_turn" | "max_tokens" | "tool_use" | "stop_sequence";
  stop_sequence: string | null;
  usage: AnthropicUsage;
};

export const messageId = () => `msg_${crypto.randomBytes(12).toString("hex")}`;
export const toolUseId = () => `toolu_${crypto.randomBytes(12).toString("hex")}`;

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((c) =>
        c && typeof c === "object" && "text" in c ? String((c as { text: unknown }).text) : JSON.stringify(c),
      )
      .join("\n");
  return content === undefined ? "" : JSON.stringify(content);
}

function imageData(block: ContentBlock): string | null {
  const source = block.source as { type?: string; data?: string } | undefined;
  return source?.type === "base64" && typeof source.data === "string" ? source.data : null;
}

export function toOllamaChat(
  body: MessagesRequest,
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
    const blocks = m.content as ContentBlock[];
    if (m.role === "assistant") {
      const calls = blocks.filter((b) => b.type === "tool_use");
      for (const c of calls) toolNames.set(String(c.id), String(c.name));
      const thinking = blocks
        .filter((b) => b.type === "thinking")
        .map((b) => String(b.thinking ?? ""))
        .join("\n");
      messages.push({
        role: "assistant",
        content: textOf(blocks as never),
        ...(thinking ? { thinking } : {}),
        ...(calls.length
          ? {
              tool_calls: calls.map((c) => ({
                function: { name: String(c.name), arguments: (c.input ?? {}) as Record<string, unknown> },
              })),
            }
          : {}),
      });
      continue;
    }
    for (const r of blocks.filter((b) => b.type === "tool_result")) {
      const name = toolNames.get(String(r.tool_use_id)) ?? "tool";
      messages.push({
        role: "tool",
        content: (r.is_error ? "Error: " : "") + toolResultText(r.content),
        tool_name: name,
      });
    }
    const text = textOf(blocks as never);
    const images = blocks.map(imageData).filter((d): d is string => d !== null);
    if (text || images.length) messages.push({ role: "user", content: text, ...(images.length ? { images } : {}) });
  }
  const tools: OllamaTool[] | undefined = body.tools
    ?.filter((t) => t.input_schema !== undefined)
    .map((t) => ({
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
    keep_alive: `${local.keepAliveMinutes}m`,
    options: {
      num_ctx: local.contextTokens,
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

export function usageOf(r: Pick<ChatResponse, "prompt_eval_count" | "eval_count">): AnthropicUsage {
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
