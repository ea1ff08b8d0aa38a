// tRPC initialisation: context, transformer, the one error formatter, and procedure builders.
// The router list lives in root.ts (create-t3-app's split).
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { describeZodError, OffloadError } from "@/server/core/errors";
import { resolveAdminActor, type Actor } from "@/server/auth/admin-auth";

export type TRPCContext = { db: Db; actor: Actor | null };

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { db: await getDb(), actor: resolveAdminActor(opts.headers) };
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
  if (!ctx.actor)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in with the admin token (OFFLOAD_ADMIN_TOKEN)" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});
