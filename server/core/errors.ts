// One typed error for what Offload refuses or cannot find, and the one wording of a validation
// error; both are pure so that the core may throw them. Mapped once per boundary (tRPC's error
// formatter, the REST handlers, the Anthropic-shaped gateway body).
import type { ZodError } from "zod";

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

/** A zod error as one line naming the field at fault: `max_tokens: Too small: expected number to be >0`. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const field = issue.path.join(".");
  return field ? `${field}: ${issue.message}` : issue.message;
}
