// The agent endpoints' one body reader: the bytes as sent, refused with a 413 past the cap (declared
// or counted as they arrive), and the JSON reading of them with a 400 naming the problem.
import { HttpError } from "./http-error";

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const tooLarge = (max: number) =>
  new HttpError(413, "request_too_large", `the request body is larger than ${Math.round(max / 1024 / 1024)} MB`);
const empty = () => new HttpError(400, "invalid_request_error", "the request body is empty; send a JSON object");

/** The body's bytes, whole; a body larger than `max` is refused without reading it all. */
export async function readRequestBody(request: Request, max = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(max);
  }
  if (!request.body) throw empty();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
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

const decoder = new TextDecoder();

/** The bytes as a JSON object; anything else is a 400. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  const text = decoder.decode(bytes);
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

/** readRequestBody, then parseJsonObject. */
export async function readJsonBody(request: Request, max = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRequestBody(request, max));
}
