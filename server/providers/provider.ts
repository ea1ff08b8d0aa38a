// One small interface for the models behind Offload, Claude and the local Ollama alike, in the
// Anthropic Messages shapes: send (the whole answer), stream (the answer's bytes as they come, with
// what was used once it ends), count (input tokens) and describeError (any failure as one short
// kind and message). The gateway, smoke runs and the health probe speak to models only through it.
import type { AnthropicUsage } from "@/server/core/cost/usage-from-anthropic";
import type { CountTokensRequest, MessagesRequest } from "@/server/core/gateway/messages-request";
import type { AnthropicMessage } from "./anthropic-message";

/** The request exactly as the client sent it, for a provider that forwards bytes (Claude). */
export type ClientRequest = {
  /** Path and query as sent (`/v1/messages?beta=true`). */
  path: string;
  headers: Headers;
  bytes: Uint8Array;
};

export type MessagesCall = {
  /** The request, parsed: what a provider that translates works from. */
  body: MessagesRequest;
  /** The model to serve (a forwarding provider reads it only to meter: the bytes say what is asked). */
  model: string;
  /** When given, a forwarding provider sends these bytes and headers instead of writing its own request. */
  original?: ClientRequest;
  /** Aborted when the caller gives up (the agent hung up, a timeout): the upstream call is cut at once. */
  signal: AbortSignal;
  /** Local models: context length and keep-alive to set on the request. */
  local?: { contextTokens?: number; keepAliveMinutes?: number };
};

export type CountCall = Omit<MessagesCall, "body" | "local"> & { body: CountTokensRequest };

/** What a turn used, for pricing: the model that answered, Anthropic-shaped usage, and local timings. */
export type Meter = {
  model: string;
  usage: AnthropicUsage | null;
  loadMs: number | null;
  generationMs: number | null;
  evalMs: number | null;
  /** Why the usage could not be read, when it could not (the turn itself may have gone well). */
  note?: string;
};

export type ProviderAnswer = {
  /** The provider's HTTP status (a forwarding provider hands back Anthropic's, errors included). */
  status: number;
  headers: Headers;
  /** The answer's body bytes, as the provider sent them (still compressed, if they were). */
  bytes: Uint8Array<ArrayBuffer>;
  /** The answer parsed, when it is a message. */
  message: AnthropicMessage | null;
  meter: Meter;
  /** What went wrong, when the status is not a success. */
  error: string | null;
};

export type StreamEnd = { status: "ok" | "error" | "cancelled"; meter: Meter; error: string | null };

export type ProviderStream = {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array>;
  /** Settles once the body ended, broke off or was cancelled (never rejects). */
  end: Promise<StreamEnd>;
};

export type ProviderFailureKind = "cancelled" | "timeout" | "refused" | "http" | "malformed" | "unsupported" | "other";

export type ProviderFailure = { kind: ProviderFailureKind; message: string; status?: number };

/** The providers' one typed error: a failure they detect themselves (an HTTP error, a request they cannot take). */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface MessagesProvider {
  send(call: MessagesCall): Promise<ProviderAnswer>;
  stream(call: MessagesCall): Promise<ProviderStream>;
  count(call: CountCall): Promise<ProviderAnswer>;
  describeError(err: unknown): ProviderFailure;
}

export const emptyMeter = (model: string): Meter => ({
  model,
  usage: null,
  loadMs: null,
  generationMs: null,
  evalMs: null,
});

/** Failures every provider shares: an abort (by the caller, or its timeout), a refused connection, a reset. */
export function describeCommonError(err: unknown): ProviderFailure | null {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err instanceof ProviderError) return { kind: err.kind, message: err.message, status: err.status };
  if (e?.name === "TimeoutError") return { kind: "timeout", message: "no answer within the timeout" };
  if (e?.name === "AbortError" || e?.code === "UND_ERR_ABORTED" || e?.code === "ABORT_ERR")
    return { kind: "cancelled", message: "cancelled" };
  const code = e?.code ?? e?.cause?.code;
  if (code === "ECONNREFUSED") return { kind: "refused", message: "the connection was refused" };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE")
    return { kind: "other", message: "the connection was reset" };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "other", message: `host not found (${code})` };
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT")
    return { kind: "timeout", message: "no answer within the timeout" };
  return null;
}
