// The agent endpoints' one typed error: an HTTP status, Anthropic's error type for it, the message,
// the field at fault and any headers the answer must carry (Retry-After, say). Thrown where
// OffloadError's codes do not reach (413, 502, 529); mapped with every other error in error-response.ts.
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
