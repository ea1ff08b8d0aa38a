// Claude behind the provider interface, as a transparent forwarder: the client's path and query,
// body bytes and headers go to ANTHROPIC_BASE_URL with the operator's ANTHROPIC_API_KEY in place of
// the client's credential, and Anthropic's status, headers and bytes come back as they are. Sent
// with undici's `request`, which (unlike fetch) never decodes a compressed body, over one
// keep-alive connection pool. The answer is read only to meter it (meter-anthropic-answer.ts).
import "server-only";
import { Agent, request } from "undici";
import { env } from "@/server/process/env";
import { forwardRequestHeaders, forwardResponseHeaders } from "./forward-headers";
import { relayStream, wholeStream } from "./answer-stream";
import { createStreamMeter, readJsonAnswer, type AnswerReading } from "./meter-anthropic-answer";
import {
  describeCommonError,
  emptyMeter,
  type ClientRequest,
  type CountCall,
  type MessagesCall,
  type MessagesProvider,
  type Meter,
  type ProviderAnswer,
  type ProviderFailure,
  type ProviderStream,
  type StreamEnd,
} from "./provider";

const DEFAULT_BASE_URL = "https://api.anthropic.com";
/** Long answers (a large max_tokens without streaming) take minutes before the first byte. */
const UPSTREAM_TIMEOUT_MS = 10 * 60_000;

// One pool per module copy (the production process loads this module twice: its own listener and
// Next's bundle); connections are reused between turns, which saves a TLS handshake each.
let pool: Agent | undefined;
function dispatcher(): Agent {
  pool ??= new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    headersTimeout: UPSTREAM_TIMEOUT_MS,
    bodyTimeout: UPSTREAM_TIMEOUT_MS,
  });
  return pool;
}

const encoder = new TextEncoder();

function ownRequest(path: string, body: unknown): ClientRequest {
  return {
    path,
    headers: new Headers({ "content-type": "application/json", "anthropic-version": "2023-06-01" }),
    bytes: encoder.encode(JSON.stringify(body)),
  };
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const isEventStream = (headers: Headers) => (headers.get("content-type") ?? "").includes("text/event-stream");

function meterOf(reading: AnswerReading, fallbackModel: string): Meter {
  return {
    ...emptyMeter(reading.model ?? fallbackModel),
    usage: reading.usage,
    ...(reading.unreadable ? { note: reading.unreadable } : {}),
  };
}

/** What went wrong: Anthropic's error status, or an error event in a stream that had begun well. */
function errorOf(status: number, reading: AnswerReading): string | null {
  if (isSuccess(status)) return reading.error;
  return `${status} ${reading.error ?? "error"}`;
}

export type ClaudeProvider = MessagesProvider & { baseUrl: string };

/** Claude through the operator's key, or null when Offload has no ANTHROPIC_API_KEY. */
export function claudeProvider(): ClaudeProvider | null {
  const { ANTHROPIC_API_KEY: apiKey, ANTHROPIC_BASE_URL: base } = env();
  if (!apiKey) return null;
  const baseUrl = (base || DEFAULT_BASE_URL).replace(/\/+$/, "");

  const forward = async (original: ClientRequest, signal: AbortSignal) => {
    const res = await request(`${baseUrl}${original.path}`, {
      method: "POST",
      headers: forwardRequestHeaders(original.headers, apiKey),
      body: original.bytes,
      signal,
      dispatcher: dispatcher(),
    });
    return { status: res.statusCode, headers: forwardResponseHeaders(res.headers), body: res.body };
  };

  /** The whole answer, read and metered. */
  const whole = async (original: ClientRequest, signal: AbortSignal, model: string): Promise<ProviderAnswer> => {
    const res = await forward(original, signal);
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    const encoding = res.headers.get("content-encoding");
    let reading: AnswerReading;
    if (isEventStream(res.headers)) {
      const meter = createStreamMeter(encoding);
      meter.write(bytes);
      reading = await meter.end();
    } else reading = readJsonAnswer(bytes, encoding);
    return {
      status: res.status,
      headers: res.headers,
      bytes,
      message: isSuccess(res.status) ? reading.message : null,
      meter: meterOf(reading, model),
      error: errorOf(res.status, reading),
    };
  };

  const send = (call: MessagesCall) =>
    whole(call.original ?? ownRequest("/v1/messages", { ...call.body, model: call.model }), call.signal, call.model);

  const stream = async (call: MessagesCall): Promise<ProviderStream> => {
    const original = call.original ?? ownRequest("/v1/messages", { ...call.body, model: call.model });
    const res = await forward(original, call.signal);
    if (!isEventStream(res.headers)) {
      // A JSON answer (an error, or a client that did not ask to stream): read whole, handed on whole.
      const bytes = new Uint8Array(await res.body.arrayBuffer());
      const reading = readJsonAnswer(bytes, res.headers.get("content-encoding"));
      const error = errorOf(res.status, reading);
      const end: StreamEnd = { status: error ? "error" : "ok", meter: meterOf(reading, call.model), error };
      return { status: res.status, headers: res.headers, body: wholeStream(bytes), end: Promise.resolve(end) };
    }
    const meter = createStreamMeter(res.headers.get("content-encoding"));
    let settle!: (end: StreamEnd) => void;
    const end = new Promise<StreamEnd>((resolve) => (settle = resolve));
    const body = relayStream(res.body, {
      tap: (chunk) => meter.write(chunk),
      ended: (how, err) => {
        if (how === "end") {
          void meter.end().then((r) => {
            const error = errorOf(res.status, r);
            settle({ status: error ? "error" : "ok", meter: meterOf(r, call.model), error });
          });
          return;
        }
        const r = meter.abandon();
        const cancelled = how === "cancel" || call.signal.aborted;
        settle({
          status: cancelled ? "cancelled" : "error",
          meter: meterOf(r, call.model),
          error: cancelled
            ? "the agent disconnected before the end of the stream"
            : `the answer broke off: ${describeError(err).message}`,
        });
      },
    });
    return { status: res.status, headers: res.headers, body, end };
  };

  const count = (call: CountCall) => {
    const { max_tokens: _unused, stream: _unsent, ...body } = call.body as Record<string, unknown>;
    return whole(
      call.original ?? ownRequest("/v1/messages/count_tokens", { ...body, model: call.model }),
      call.signal,
      call.model,
    );
  };

  const describeError = (err: unknown): ProviderFailure => {
    const common = describeCommonError(err);
    if (common) return common;
    const e = err as { message?: string; code?: string };
    return { kind: "other", message: `${e?.code ? `${e.code}: ` : ""}${e?.message ?? String(err)}`.slice(0, 200) };
  };

  return { baseUrl, send, stream, count, describeError };
}
