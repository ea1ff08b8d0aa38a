// tRPC initialisation: context, transformer, the one error formatter, and procedure builders.
// The router list lives in root.ts (create-t3-app's split).
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { describeZodError, OffloadError } from "@/server/core/errors";
import { resolveAdminRequest, type Actor } from "@/server/auth/admin-auth";
import { crossSiteReason } from "@/server/auth/same-origin";

export type TRPCContext = {
  db: Db;
  actor: Actor | null;
  /** Set when the caller's address is locked out for wrong admin tokens: seconds to wait (429). */
  retryAfterS?: number;
};

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  const db = await getDb();
  const { actor, retryAfterS } = await resolveAdminRequest(opts.headers, db);
  return retryAfterS ? { db, actor, retryAfterS } : { db, actor };
}

/** A refusal before tRPC reads the request, in tRPC's error shape (a list for a batch) so its clients read the message. */
function refusal(req: Request, status: number, code: string, message: string): Response {
  const error = { json: { message, code: -32600, data: { code, httpStatus: status } } };
  const batch = new URL(req.url).searchParams.get("batch") === "1";
  return Response.json(batch ? [{ error }] : { error }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * What /api/trpc refuses before tRPC sees it: requests from another site (403; the dashboard's own
 * requests are same-origin, the CLI's name no origin) and mutations in anything but JSON (415): a
 * form on another site can post multipart/form-data or text/plain without a CORS preflight, JSON it
 * cannot.
 */
export function refuseUnsafeTrpcRequest(req: Request): Response | null {
  const crossSite = crossSiteReason(req.headers);
  if (crossSite) return refusal(req, 403, "FORBIDDEN", `Offload's admin API refuses ${crossSite}`);
  if (req.method !== "GET" && req.method !== "HEAD") {
    const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json")
      return refusal(
        req,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `Offload's admin API takes JSON bodies only (content-type: application/json), not ${type || "a body without a content type"}`,
      );
  }
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A mutation's body, read whole and checked to be UTF-8 (tRPC would decode broken bytes into
 * replacement characters and act on what is left): the request again with those bytes, or a 400.
 */
export async function readTrpcBody(req: Request): Promise<Request | Response> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const bytes = new Uint8Array(await req.arrayBuffer());
  try {
    utf8.decode(bytes);
  } catch {
    return refusal(req, 400, "BAD_REQUEST", "Offload's admin API takes UTF-8 JSON; the body is not valid UTF-8");
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body: bytes });
}

const TRPC_CODE = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const;

/** The first zod issue as "field: message". */

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const field = error.cause instanceof OffloadError ? error.cause.field : zod?.issues[0]?.path.join(".");
    return {
      ...shape,
      message: zod ? describeZodError(zod) : shape.message,
      data: { ...shape.data, field: field ?? null },
    };
  },
});

/** Turns domain and validation errors into tRPC errors with the right code. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof OffloadError) {
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    }
    if (cause instanceof ZodError) {
      throw new TRPCError({ code: "BAD_REQUEST", message: describeZodError(cause), cause });
    }
  }
  return result;
});

export const createTRPCRouter = t.router;

/** Every dashboard and admin procedure: requires an admin actor (always present when no admin token is configured). */
export const adminProcedure = t.procedure.use(mapErrors).use(({ ctx, next }) => {
  if (ctx.retryAfterS)
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `too many wrong admin tokens from this address: try again in ${ctx.retryAfterS} s`,
    });
  if (!ctx.actor)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in with the admin token (OFFLOAD_ADMIN_TOKEN)" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Retry-After on a 429 (an address locked out for wrong admin tokens). */
export function trpcResponseMeta(opts: { ctx?: TRPCContext }): { headers?: Record<string, string> } {
  return opts.ctx?.retryAfterS ? { headers: { "retry-after": String(opts.ctx.retryAfterS) } } : {};
}
