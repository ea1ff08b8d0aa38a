// The HTTP actions: GET, or POST of a JSON body, to the allowed hosts only (allow-hosts.ts), within
// 30 s in all. Redirects are followed by hand (at most 5 hops), each one checked against the list
// first, so an allowed host cannot bounce the sidecar to another one. The answer becomes the
// result: its status, content type, and body (parsed when it is JSON, else text of at most 1 MB).
import type { SidecarAction, SidecarResult } from "@/server/core/tasks/sidecar-actions";
import { ActionError } from "./action-error";
import { isHostAllowed, type AllowedHost } from "./allow-hosts";

export type HttpAction = Extract<SidecarAction, { action: `http.${string}` }>;
type HttpResult = Extract<SidecarResult, { action: `http.${string}` }>;

export const HTTP_TIMEOUT_MS = 30_000;
export const MAX_REDIRECTS = 5;
/** A text body is kept up to this size (`truncated: true` past it). */
export const TEXT_MAX_BYTES = 1024 * 1024;
/** A JSON body is parsed up to this size; a larger one is kept as text, cut at TEXT_MAX_BYTES. */
export const JSON_MAX_BYTES = 10 * 1024 * 1024;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const isJson = (contentType: string | null) =>
  !!contentType && /^\s*(application\/([\w.+-]+\+)?json|text\/json)\s*(;|$)/i.test(contentType);

/** Up to `max` bytes of the body, and whether there was more (the rest is not read). */
async function readCapped(res: Response, max: number): Promise<{ bytes: Buffer; more: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), more: false };
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), more: false };
    chunks.push(Buffer.from(value));
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks).subarray(0, max), more: true };
    }
  }
}

function textOf(bytes: Buffer): string {
  return bytes.toString("utf8").replace(/\uFFFD$/, "");
}

/** Why fetch threw, in words: the timeout, or the connection's error code and message. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs / 1000} s (timed out)`;
  const cause = e.cause?.message ?? e.cause?.code;
  return cause ? `connection failed (${cause})` : e.message;
}

/** Runs one HTTP action; an ActionError says why it was refused (host) or failed (connection). */
export async function runHttpAction(
  action: HttpAction,
  allowed: readonly AllowedHost[],
  options: { timeoutMs?: number } = {},
): Promise<HttpResult> {
  let url = new URL(action.url);
  if (!isHostAllowed(url, allowed))
    throw new ActionError("refused", `${action.action}: ${url.host} is not an allowed host (see --allow-host)`);
  let method = action.action === "http.get" ? "GET" : "POST";
  let body: string | undefined = action.action === "http.post_json" ? JSON.stringify(action.body ?? null) : undefined;
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);

  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body,
        headers: {
          accept: "application/json, text/*;q=0.9, */*;q=0.8",
          "user-agent": "offload-sidecar",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        redirect: "manual",
        signal,
      });
    } catch (err) {
      throw new ActionError("failed", `${action.action} ${url.href}: ${describeFetchError(err, timeoutMs)}`);
    }

    const location = res.headers.get("location");
    if (REDIRECTS.has(res.status) && location) {
      await res.body?.cancel().catch(() => undefined);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new ActionError("failed", `${action.action} ${url.href}: redirected to an invalid URL (${location})`);
      }
      if (!isHostAllowed(next, allowed))
        throw new ActionError(
          "refused",
          `${action.action} ${url.href}: redirected to ${next.protocol}//${next.host}, which is not an allowed host (see --allow-host)`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new ActionError("failed", `${action.action} ${action.url}: more than ${MAX_REDIRECTS} redirects`);
      // As browsers do: 303 (and 301/302 after a POST) turn into a GET without a body; 307/308 repeat as is.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      url = next;
      continue;
    }

    // A 4xx or 5xx answer is still a successful action: the request was made, and its status is the
    // result, for the agent to read; only a refusal or a request that got no answer fails the task.
    const contentType = res.headers.get("content-type");
    let read: { bytes: Buffer; more: boolean };
    try {
      read = await readCapped(res, isJson(contentType) ? JSON_MAX_BYTES : TEXT_MAX_BYTES);
    } catch (err) {
      throw new ActionError(
        "failed",
        `${action.action} ${url.href}: reading the answer: ${describeFetchError(err, timeoutMs)}`,
      );
    }
    const result: HttpResult = { action: action.action, url: url.href, status: res.status, contentType, body: null };
    if (isJson(contentType) && !read.more && read.bytes.length > 0) {
      try {
        return { ...result, body: JSON.parse(read.bytes.toString("utf8")) as unknown };
      } catch {
        // Not JSON after all: kept as text below.
      }
    }
    const truncated = read.more || read.bytes.length > TEXT_MAX_BYTES;
    return {
      ...result,
      body: textOf(read.bytes.subarray(0, TEXT_MAX_BYTES)),
      ...(truncated ? { truncated: true } : {}),
    };
  }
}
