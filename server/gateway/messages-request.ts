// The Anthropic Messages request as the gateway accepts it: checked where routing and metering
// depend on it (a 400 naming the field), passed through untouched elsewhere.
import { z } from "zod";

const block = z.looseObject({ type: z.string().min(1, "a content block needs a type") });

const message = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(block)]),
});

export const messagesRequestSchema = z.looseObject({
  model: z.string().trim().min(1, "model is required"),
  max_tokens: z.number().int("max_tokens must be a whole number").positive("max_tokens must be positive"),
  messages: z.array(message).min(1, "messages must not be empty"),
  system: z.union([z.string(), z.array(block)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1, "a tool needs a name") })).optional(),
  tool_choice: z.looseObject({ type: z.string() }).optional(),
  thinking: z.looseObject({ type: z.string() }).optional(),
  metadata: z.looseObject({}).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type ContentBlock = z.infer<typeof block> & Record<string, unknown>;
export type RequestMessage = MessagesRequest["messages"][number];

export const countTokensRequestSchema = messagesRequestSchema.omit({ max_tokens: true, stream: true }).extend({
  max_tokens: z.number().int().positive().optional(),
});

function blocksOf(content: RequestMessage["content"]): ContentBlock[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : (content as ContentBlock[]);
}

export function textOf(content: RequestMessage["content"] | MessagesRequest["system"] | undefined): string {
  if (content === undefined) return "";
  return blocksOf(content as RequestMessage["content"])
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

/** The turn's request: the text of the last user message that has any (tool results are not the task). */
export function lastUserText(body: Pick<MessagesRequest, "messages">): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i]!;
    if (m.role !== "user") continue;
    const text = textOf(m.content);
    if (text.trim()) return text;
  }
  return "";
}

/** Characters that count towards the prompt: system, every block's text or JSON, and the tool definitions. */
export function promptCharacters(body: Pick<MessagesRequest, "messages" | "system" | "tools">): number {
  let chars = 0;
  const add = (v: unknown) => {
    if (typeof v === "string") chars += v.length;
    else if (v !== undefined && v !== null) chars += JSON.stringify(v).length;
  };
  if (typeof body.system === "string") add(body.system);
  else for (const b of body.system ?? []) add((b as ContentBlock).text);
  for (const m of body.messages) {
    if (typeof m.content === "string") add(m.content);
    else
      for (const b of m.content as ContentBlock[]) {
        if (b.type === "text") add(b.text);
        else if (b.type === "tool_use") add(b.input);
        else if (b.type === "tool_result") add(b.content);
        else if (b.type === "thinking") add(b.thinking);
        else if (b.type === "image" || b.type === "document")
          chars += 1_000 * 3.5; // roughly a thousand tokens each
        else add(b);
      }
  }
  for (const t of body.tools ?? []) add(t);
  return chars;
}
