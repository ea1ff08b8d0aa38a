// The Anthropic Messages answer as Offload writes it for local turns (and reads it from Claude's
// answers): a message with text, thinking and tool_use blocks, its stop reason and usage.
import crypto from "node:crypto";

export type AnthropicAnswerUsage = {
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
  stop_reason: "end_turn" | "max_tokens" | "tool_use" | "stop_sequence" | string;
  stop_sequence: string | null;
  usage: AnthropicAnswerUsage;
};

export const messageId = () => `msg_${crypto.randomBytes(12).toString("hex")}`;
export const toolUseId = () => `toolu_${crypto.randomBytes(12).toString("hex")}`;
