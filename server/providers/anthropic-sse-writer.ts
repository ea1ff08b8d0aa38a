// Server-sent events in the Anthropic Messages stream format: message_start, ping,
// content_block_start / _delta / _stop per block, message_delta with the stop reason and usage,
// message_stop. Used to stream local answers (live, or replayed after a Local-with-care check).
import "server-only";
import type { AnthropicAnswerUsage as AnthropicUsage, AnthropicBlock, AnthropicMessage } from "./anthropic-message";

const encoder = new TextEncoder();

function sseEvent(type: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}

export class AnthropicSseWriter {
  private index = -1;
  private open: "text" | "thinking" | null = null;

  constructor(private readonly emit: (chunk: Uint8Array) => void) {}

  start(id: string, model: string, usage: Partial<AnthropicUsage> = {}): void {
    this.emit(
      sseEvent("message_start", {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0, ...usage },
        },
      }),
    );
    this.emit(sseEvent("ping", { type: "ping" }));
  }

  private close(): void {
    if (this.open === null) return;
    if (this.open === "thinking")
      this.emit(
        sseEvent("content_block_delta", {
          type: "content_block_delta",
          index: this.index,
          delta: { type: "signature_delta", signature: "" },
        }),
      );
    this.emit(sseEvent("content_block_stop", { type: "content_block_stop", index: this.index }));
    this.open = null;
  }

  private begin(kind: "text" | "thinking"): void {
    if (this.open === kind) return;
    this.close();
    this.index++;
    this.open = kind;
    const block = kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" };
    this.emit(
      sseEvent("content_block_start", { type: "content_block_start", index: this.index, content_block: block }),
    );
  }

  text(delta: string): void {
    if (!delta) return;
    this.begin("text");
    this.emit(
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index: this.index,
        delta: { type: "text_delta", text: delta },
      }),
    );
  }

  thinking(delta: string): void {
    if (!delta) return;
    this.begin("thinking");
    this.emit(
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index: this.index,
        delta: { type: "thinking_delta", thinking: delta },
      }),
    );
  }

  toolUse(id: string, name: string, input: Record<string, unknown>): void {
    this.close();
    this.index++;
    this.emit(
      sseEvent("content_block_start", {
        type: "content_block_start",
        index: this.index,
        content_block: { type: "tool_use", id, name, input: {} },
      }),
    );
    this.emit(
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index: this.index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
      }),
    );
    this.emit(sseEvent("content_block_stop", { type: "content_block_stop", index: this.index }));
  }

  finish(stopReason: AnthropicMessage["stop_reason"], usage: AnthropicUsage): void {
    this.close();
    this.emit(
      sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage,
      }),
    );
    this.emit(sseEvent("message_stop", { type: "message_stop" }));
  }

  /** An error after the stream started, as Anthropic sends it mid-stream. */
  error(type: string, message: string): void {
    this.emit(sseEvent("error", { type: "error", error: { type, message } }));
  }

  /** Replays a complete message as a stream. */
  replay(m: AnthropicMessage): void {
    this.start(m.id, m.model, { input_tokens: m.usage.input_tokens });
    for (const b of m.content as AnthropicBlock[]) {
      if (b.type === "text") this.text(b.text);
      else if (b.type === "thinking") this.thinking(b.thinking);
      else this.toolUse(b.id, b.name, b.input);
    }
    this.finish(m.stop_reason, m.usage);
  }
}
