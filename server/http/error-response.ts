// The one mapping from Offload's errors to an HTTP error body, in Anthropic's shape
// ({type:"error", error:{type, message}}) so agents' SDKs read it, plus the field at fault.
import { ZodError } from "zod";
import { HTTP_STATUS, OffloadError, type OffloadErrorCode } from "@/server/core/errors";
import { describeZodError } from "@/server/core/errors";

const ANTHROPIC_TYPE: Record<OffloadErrorCode, string> = {
  BAD_REQUEST: "invalid_request_error",
  UNAUTHORIZED: "authentication_error",
  FORBIDDEN: "permission_error",
  NOT_FOUND: "not_found_error",
  CONFLICT: "invalid_request_error",
  UNAVAILABLE: "api_error",
};

function errorBody(code: OffloadErrorCode, message: string, field?: string | null) {
  return { type: "error" as const, error: { type: ANTHROPIC_TYPE[code], message, ...(field ? { field } : {}) } };
}

export function errorResponse(err: unknown): Response {
  if (err instanceof OffloadError) {
    return Response.json(errorBody(err.code, err.message, err.field), { status: HTTP_STATUS[err.code] });
  }
  if (err instanceof ZodError) {
    const field = err.issues[0]?.path.join(".") || null;
    return Response.json(errorBody("BAD_REQUEST", describeZodError(err), field), { status: 400 });
  }
  console.error("offload: unexpected error", err);
  return Response.json(
    { type: "error", error: { type: "api_error", message: "internal error; see the server log" } },
    { status: 500 },
  );
}

/** The request's JSON body, or a 400 naming the problem. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) throw new OffloadError("BAD_REQUEST", "the request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OffloadError("BAD_REQUEST", `the request body is not valid JSON: ${(err as Error).message}`);
  }
}
