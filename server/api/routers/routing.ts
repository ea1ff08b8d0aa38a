import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { describeZodError } from "@/server/core/errors";
import {
  decideRoutes,
  routeRequestSchema,
  type BatchRouteResult,
  type RouteRequest,
} from "@/server/routing/decide-routes";

export const routingRouter = createTRPCRouter({
  /** Decisions for many tasks at once (the CLI's `classify`); a bad item gets its own error. */
  decideMany: adminProcedure
    .input(z.object({ items: z.array(z.unknown()).max(5_000) }))
    .mutation(async ({ ctx, input }) => {
      const parsed = input.items.map((item) => routeRequestSchema.safeParse(item));
      const valid: RouteRequest[] = parsed.flatMap((p) => (p.success ? [p.data] : []));
      const decided = await decideRoutes(ctx.db, valid);
      let next = 0;
      return parsed.map((p): BatchRouteResult => {
        if (p.success) return decided[next++]!;
        return { error: describeZodError(p.error), field: p.error.issues[0]?.path.join(".") || null };
      });
    }),
});
