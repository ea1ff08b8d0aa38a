// One typed error for what Offload refuses or cannot find; mapped once per boundary
// (tRPC's error formatter, the REST handlers, the Anthropic-shaped gateway body).

export type OffloadErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "UNAVAILABLE";

export class OffloadError extends Error {
  override name = "OffloadError";
  constructor(
    readonly code: OffloadErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const HTTP_STATUS: Record<OffloadErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
};
