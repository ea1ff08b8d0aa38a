// Reads what a Claude turn used from Anthropic's answer without touching the bytes the client gets:
// a JSON message's `usage`, or, for a stream, the usage in message_start and message_delta, read by
// a real server-sent-events parser (eventsource-parser: CRLF, multi-line data and comments
// included). A compressed answer (gzip, deflate, br) is inflated on a copy, for reading only.
import zlib from "node:zlib";
import type { Transform } from "node:stream";
import { createParser } from "eventsource-parser";
import type { AnthropicUsage } from "@/server/core/cost/usage-from-anthropic";
import type { AnthropicMessage } from "./anthropic-message";

export type AnswerReading = {
  /** The model named by the answer (null: not named). */
  model: string | null;
  usage: AnthropicUsage | null;
  /** Anthropic's error, from an error body or an `error` event. */
  error: string | null;
  /** Why the answer could not be read for metering (compressed in a way Node cannot inflate, not JSON). */
  unreadable: string | null;
  message: AnthropicMessage | null;
};

type Parsed = {
  type?: string;
  model?: string;
  usage?: AnthropicUsage;
  message?: { model?: string; usage?: AnthropicUsage };
  error?: { type?: string; message?: string };
};

function inflaterFor(encoding: string | null): Transform | null | "unsupported" {
  const e = encoding?.trim().toLowerCase();
  if (!e || e === "identity") return null;
  if (e === "gzip" || e === "x-gzip") return zlib.createGunzip();
  if (e === "deflate") return zlib.createInflate();
  if (e === "br") return zlib.createBrotliDecompress();
  return "unsupported";
}

function inflateSync(bytes: Uint8Array, encoding: string | null): Buffer | null {
  const e = encoding?.trim().toLowerCase();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!e || e === "identity") return buf;
  if (e === "gzip" || e === "x-gzip") return zlib.gunzipSync(buf);
  if (e === "deflate") return zlib.inflateSync(buf);
  if (e === "br") return zlib.brotliDecompressSync(buf);
  return null;
}

/** Copies the numbers Anthropic sent (later events carry the running totals). */
function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | undefined): void {
  if (!from) return;
  for (const [k, v] of Object.entries(from))
    if (v !== null && v !== undefined) (into as Record<string, unknown>)[k] = v;
}

/** A whole JSON answer (a message, or an error body). */
export function readJsonAnswer(bytes: Uint8Array, encoding: string | null): AnswerReading {
  const none: AnswerReading = { model: null, usage: null, error: null, unreadable: null, message: null };
  let parsed: Parsed;
  try {
    const plain = inflateSync(bytes, encoding);
    if (!plain) return { ...none, unreadable: `usage unreadable: content-encoding ${encoding}` };
    parsed = JSON.parse(plain.toString("utf8"));
  } catch (err) {
    return {
      ...none,
      unreadable: `usage unreadable: the answer is not JSON (${(err as Error).message.slice(0, 120)})`,
    };
  }
  if (!parsed || typeof parsed !== "object") return none;
  if (parsed.type === "error")
    return { ...none, error: `${parsed.error?.type ?? "error"}: ${parsed.error?.message ?? "no message"}` };
  return {
    model: typeof parsed.model === "string" ? parsed.model : null,
    usage: parsed.usage ?? null,
    error: null,
    unreadable: null,
    message: parsed.type === "message" ? (parsed as unknown as AnthropicMessage) : null,
  };
}

/** Reads a stream's events chunk by chunk; `end()` resolves once everything written was read. */
export function createStreamMeter(encoding: string | null): {
  write(chunk: Uint8Array): void;
  end(): Promise<AnswerReading>;
  /** What was read so far, for a stream cut short (the inflater, if any, is let go). */
  abandon(): AnswerReading;
} {
  const usage: AnthropicUsage = {};
  let sawUsage = false;
  let model: string | null = null;
  let error: string | null = null;
  let unreadable: string | null = null;
  const parser = createParser({
    onEvent(event) {
      // Only the events that carry usage or errors are parsed; deltas of text pass unread.
      if (
        event.event !== undefined &&
        event.event !== "message_start" &&
        event.event !== "message_delta" &&
        event.event !== "error"
      )
        return;
      let data: Parsed;
      try {
        data = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing to meter
      }
      if (data.type === "message_start") {
        model = data.message?.model ?? model;
        mergeUsage(usage, data.message?.usage);
        sawUsage = true;
      } else if (data.type === "message_delta") {
        mergeUsage(usage, data.usage);
        sawUsage = true;
      } else if (data.type === "error")
        error = `${data.error?.type ?? "error"}: ${data.error?.message ?? "stream error"}`;
    },
  });
  const decoder = new TextDecoder();
  const feed = (bytes: Uint8Array) => parser.feed(decoder.decode(bytes, { stream: true }));
  const inflater = inflaterFor(encoding);
  if (inflater === "unsupported") unreadable = `usage unreadable: content-encoding ${encoding}`;
  let drained: Promise<void> = Promise.resolve();
  if (inflater && inflater !== "unsupported") {
    inflater.on("data", (b: Buffer) => feed(b));
    drained = new Promise<void>((resolve) => {
      inflater.once("end", resolve);
      inflater.once("error", (err) => {
        unreadable ??= `usage unreadable: ${err.message}`;
        resolve();
      });
    });
  }
  const current = (): AnswerReading => ({
    model,
    usage: sawUsage ? { ...usage } : null,
    error,
    unreadable,
    message: null,
  });
  return {
    write(chunk) {
      if (inflater === "unsupported") return;
      if (inflater) inflater.write(chunk);
      else feed(chunk);
    },
    async end() {
      if (inflater && inflater !== "unsupported") {
        inflater.end();
        await drained;
      }
      feed(new Uint8Array(0));
      return current();
    },
    abandon() {
      if (inflater && inflater !== "unsupported") inflater.destroy();
      return current();
    },
  };
}
