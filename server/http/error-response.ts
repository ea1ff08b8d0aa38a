// The one mapping from an error to an agent endpoint's answer: Anthropic's shape
// ({type:"error", error:{type, message}}, plus the field at fault) so agents' SDKs read it, with the
// x-offload-* headers that say what happened. OffloadError (the core and the services), ZodError
// (a body that failed its schema) and HttpError (the agent endpoints' own) are mapped; anything
// else is a logged 500.
import { ZodError } from "zod";
import { HTTP_STATUS, OffloadError, describeZodError, type OffloadErrorCode } from "@/server/core/errors";
import { offloadHeaders, type OffloadOutcome } from "@/server/core/gateway/offload-headers";
import { HttpError } from "./http-error";
import { log } from "@/server/process/log";

const ANTHROPIC_TYPE: Record<OffloadErrorCode, string> = {
  BAD_REQUEST: "invalid_request_error",
  UNAUTHORIZED: "authentication_error",
  FORBIDDEN: "permission_error",
  NOT_FOUND: "not_found_error",
  CONFLICT: "invalid_request_error",
  UNAVAILABLE: "api_error",
};

type Mapped = {
  status: number;
  type: string;
  message: string;
  field?: string | null;
  headers?: Record<string, string>;
};

function mapError(err: unknown): Mapped {
  if (err instanceof HttpError)
    return { status: err.status, type: err.type, message: err.message, field: err.field, headers: err.headers };
  if (err instanceof OffloadError)
    return { status: HTTP_STATUS[err.code], type: ANTHROPIC_TYPE[err.code], message: err.message, field: err.field };
  if (err instanceof ZodError)
    return {
      status: 400,
      type: "invalid_request_error",
      message: describeZodError(err),
      field: err.issues[0]?.path.join(".") || null,
    };
  log.error({ err }, "unexpected error");
  return { status: 500, type: "api_error", message: "internal error in Offload; see its log" };
}

/** The error as an Anthropic-shaped answer; `outcome` (lane, model, reason, turn) becomes the x-offload-* headers. */
export function errorResponse(err: unknown, outcome?: Omit<OffloadOutcome, "reason"> & { reason?: string }): Response {
  const m = mapError(err);
  // The error's own headers (Retry-After, or x-offload-* set where the turn was known) win.
  const headers: Record<string, string> = {
    ...(outcome ? offloadHeaders({ ...outcome, reason: outcome.reason ?? m.message }) : {}),
    ...m.headers,
  };
  return Response.json(
    { type: "error", error: { type: m.type, message: m.message, ...(m.field ? { field: m.field } : {}) } },
    { status: m.status, headers },
  );
}
