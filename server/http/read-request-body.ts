// The agent endpoints' one body reader. Each endpoint has its limits (BODY_LIMITS): a body larger
// than its cap is refused with a 413 (Anthropic's `request_too_large`) before it is buffered, from
// its Content-Length when it declares one, else by counting as the bytes arrive; then the bytes'
// shape is checked (json-limits.ts: depth, string and array sizes, duplicate keys), they must be
// UTF-8, and they are read as one JSON object. Every refusal is a 400 naming the problem.
import { HttpError } from "./http-error";
import { checkJsonLimits, type JsonLimits } from "./json-limits";

export type BodyLimits = { maxBytes: number; json: JsonLimits };

const MB = 1024 * 1024;
/** JSON nesting an agent's request never needs more of (tool schemas included). */
const MAX_DEPTH = 64;

/** Per agent endpoint. */
export const BODY_LIMITS = {
  /** POST /v1/messages: Anthropic's own request limit (32 MB); at most 100,000 messages, as Anthropic. */
  messages: { maxBytes: 32 * MB, json: { maxDepth: MAX_DEPTH, maxStringBytes: 32 * MB, maxItems: 100_000 } },
  /** POST /v1/messages/count_tokens: the same request as Messages. */
  countTokens: { maxBytes: 32 * MB, json: { maxDepth: MAX_DEPTH, maxStringBytes: 32 * MB, maxItems: 100_000 } },
  /** POST /api/v1/turns: up to 1,000 usage reports of a few hundred bytes each. */
  turns: { maxBytes: 2 * MB, json: { maxDepth: MAX_DEPTH, maxStringBytes: 16 * 1024, maxItems: 10_000 } },
  /** POST /api/v1/route: a title and a description of at most 200,000 characters (6 bytes each, escaped). */
  route: { maxBytes: 2 * MB, json: { maxDepth: MAX_DEPTH, maxStringBytes: 1_200_000, maxItems: 10_000 } },
  /** POST /api/v1/tasks and .../complete: a sidecar file.write's content or file.read's result (10 MB), escaped. */
  tasks: { maxBytes: 24 * MB, json: { maxDepth: MAX_DEPTH, maxStringBytes: 22 * MB, maxItems: 100_000 } },
} as const satisfies Record<string, BodyLimits>;

const megabytes = (bytes: number) => (bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${bytes} bytes`);
const tooLarge = (max: number) =>
  new HttpError(413, "request_too_large", `the request body is larger than ${megabytes(max)}, this endpoint's limit`);
const empty = () => new HttpError(400, "invalid_request_error", "the request body is empty; send a JSON object");

/** The body's bytes, whole; a body larger than the cap is refused without reading it all. */
export async function readRequestBody(
  request: Request,
  limits: BodyLimits = BODY_LIMITS.messages,
): Promise<Uint8Array> {
  const max = limits.maxBytes;
  const header = request.headers.get("content-length");
  const declared = header === null ? 0 : Number(header);
  if (declared > max) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(max);
  }
  if (!request.body) throw empty();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (err) {
      // The client broke the body off (a malformed chunk, a connection reset): say so, not "internal error".
      throw new HttpError(400, "invalid_request_error", `the request body broke off: ${(err as Error).message}`);
    }
    const { done, value } = next;
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes as a JSON object within `limits`; anything else is a 400 naming the problem. */
export function parseJsonObject(bytes: Uint8Array, limits: BodyLimits = BODY_LIMITS.messages): Record<string, unknown> {
  checkJsonLimits(bytes, limits.json);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_request_error", "the request body is not valid UTF-8");
  }
  if (!text.trim()) throw empty();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, "invalid_request_error", `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpError(400, "invalid_request_error", "the request body must be a JSON object");
  return value as Record<string, unknown>;
}

/** readRequestBody, then parseJsonObject, with the same limits. */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRequestBody(request, limits), limits);
}
