// Metering Claude's answers without touching them: JSON usage, and SSE usage through a real parser.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { createStreamMeter, readJsonAnswer } from "./meter-anthropic-answer";

const enc = (s: string) => new TextEncoder().encode(s);

/** Anthropic's events, written with the given line ending, and one data line split over two. */
function events(eol: string): string {
  const start = JSON.stringify({
    type: "message_start",
    message: {
      model: "claude-haiku-4-5",
      usage: { input_tokens: 120, cache_read_input_tokens: 900, output_tokens: 1 },
    },
  });
  const delta = JSON.stringify({
    type: "message_delta",
    delta: { stop_reason: "end_turn" },
    usage: { output_tokens: 42 },
  });
  // A multi-line data field: the lines are joined with "\n" (valid JSON, as whitespace).
  const multi = delta.replace('"usage":', '"usage":\ndata: ');
  return [
    `: a comment${eol}`,
    `event: message_start${eol}data: ${start}${eol}${eol}`,
    `event: ping${eol}data: {"type":"ping"}${eol}${eol}`,
    `event: content_block_delta${eol}data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}${eol}${eol}`,
    `event: message_delta${eol}data: ${multi}${eol}${eol}`,
    `event: message_stop${eol}data: {"type":"message_stop"}${eol}${eol}`,
  ].join("");
}

async function meterInPieces(bytes: Uint8Array, encoding: string | null, piece = 7) {
  const meter = createStreamMeter(encoding);
  for (let i = 0; i < bytes.length; i += piece) meter.write(bytes.subarray(i, i + piece));
  return meter.end();
}

describe("createStreamMeter", () => {
  it.each(["\n", "\r\n", "\r"])("reads usage and model from events ending in %j, split anywhere", async (eol) => {
    const r = await meterInPieces(enc(events(eol)), null);
    expect(r.model).toBe("claude-haiku-4-5");
    expect(r.usage).toEqual({ input_tokens: 120, cache_read_input_tokens: 900, output_tokens: 42 });
    expect(r.error).toBeNull();
  });

  it.each([
    ["gzip", zlib.gzipSync],
    ["br", zlib.brotliCompressSync],
    ["deflate", zlib.deflateSync],
  ] as const)("reads a %s-compressed stream from a copy", async (encoding, compress) => {
    const r = await meterInPieces(new Uint8Array(compress(Buffer.from(events("\n")))), encoding, 5);
    expect(r.usage).toMatchObject({ input_tokens: 120, output_tokens: 42 });
  });

  it("reports an error event, and says when it cannot read the encoding", async () => {
    const err = await meterInPieces(
      enc('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'),
      null,
    );
    expect(err.error).toBe("overloaded_error: Overloaded");
    const zstd = await meterInPieces(enc("whatever"), "zstd");
    expect(zstd.unreadable).toBe("usage unreadable: content-encoding zstd");
    expect(zstd.usage).toBeNull();
  });

  it("gives what it read so far for a stream cut short", () => {
    const meter = createStreamMeter(null);
    meter.write(enc(events("\n").split("event: content_block_delta")[0]!));
    expect(meter.abandon().usage).toMatchObject({ input_tokens: 120, output_tokens: 1 });
  });
});

describe("readJsonAnswer", () => {
  const message = {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-6",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 2, cache_creation: { ephemeral_1h_input_tokens: 5 } },
  };

  it("reads a message, plain or gzip-compressed", () => {
    const plain = readJsonAnswer(enc(JSON.stringify(message)), null);
    expect(plain).toMatchObject({ model: "claude-sonnet-4-6", usage: message.usage, error: null });
    expect(plain.message?.content).toEqual(message.content);
    const gz = readJsonAnswer(new Uint8Array(zlib.gzipSync(JSON.stringify(message))), "gzip");
    expect(gz.usage).toEqual(message.usage);
  });

  it("reads Anthropic's error body, and says when the body is not JSON", () => {
    const e = readJsonAnswer(enc('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'), null);
    expect(e.error).toBe("rate_limit_error: slow down");
    expect(readJsonAnswer(enc("<html>"), null).unreadable).toMatch(/^usage unreadable: the answer is not JSON/);
  });
});
