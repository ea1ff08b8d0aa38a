// The Anthropic Messages request as the gateway reads it: only what routing and metering need is
// checked (model, max_tokens, the messages array; a 400 names the field), everything else is the
// client's business and Anthropic's. Roles, block types and top-level fields Offload does not know
// are read around, never refused: the Claude lane forwards the client's bytes, not this object.
import { z } from "zod";

export const messagesRequestSchema = z.looseObject({
  model: z.string({ error: "model is required (a string)" }).min(1, "model is required"),
  max_tokens: z
    .number({ error: "max_tokens is required (a positive whole number)" })
    .int("max_tokens must be a whole number")
    .positive("max_tokens must be positive"),
  messages: z.array(z.unknown(), { error: "messages is required (an array)" }),
});

export const countTokensRequestSchema = z.looseObject({
  model: z.string({ error: "model is required (a string)" }).min(1, "model is required"),
  messages: z.array(z.unknown(), { error: "messages is required (an array)" }),
});

/** A request as parsed: the checked fields typed, the rest as sent. */
export type MessagesRequest = { model: string; max_tokens: number; messages: unknown[]; [field: string]: unknown };
export type CountTokensRequest = { model: string; messages: unknown[]; [field: string]: unknown };

export type Block = { type?: unknown; [field: string]: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Content as blocks: a string is one text block; anything that is not a block is left out. */
export function blocksOf(content: unknown): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

/** The text blocks' text, one per line. */
export function textOf(content: unknown): string {
  return blocksOf(content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

/** The turn's request: the text of the last user message that has any (tool results are not the task). */
export function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObject(m) || m.role !== "user") continue;
    const text = textOf(m.content);
    if (text.trim()) return text;
  }
  return "";
}

/** Characters that count towards the prompt: system, every block's text or JSON, and the tool definitions. */
export function promptCharacters(body: { messages: readonly unknown[]; system?: unknown; tools?: unknown }): number {
  let chars = 0;
  const add = (v: unknown) => {
    if (typeof v === "string") chars += v.length;
    else if (v !== undefined && v !== null) chars += JSON.stringify(v).length;
  };
  if (typeof body.system === "string") add(body.system);
  else for (const b of blocksOf(body.system)) add(b.text);
  for (const m of body.messages) {
    if (!isObject(m)) continue;
    for (const b of blocksOf(m.content)) {
      if (b.type === "text") add(b.text);
      else if (b.type === "tool_use") add(b.input);
      else if (b.type === "tool_result") add(b.content);
      else if (b.type === "thinking") add(b.thinking);
      else if (b.type === "image" || b.type === "document")
        chars += 1_000 * 3.5; // roughly a thousand tokens each
      else add(b);
    }
  }
  if (Array.isArray(body.tools)) for (const t of body.tools) add(t);
  return chars;
}
