import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { readHealthHistory, readHealthStatus, readRecentLocalErrors } from "@/server/health/read-health";
import { pollHealth } from "@/server/health/health-monitor";

export const healthRouter = createTRPCRouter({
  status: adminProcedure.query(({ ctx }) => readHealthStatus(ctx.db)),
  history: adminProcedure
    .input(z.object({ hours: z.number().int().min(1).max(168) }))
    .query(({ ctx, input }) => readHealthHistory(ctx.db, input.hours)),
  recentErrors: adminProcedure.query(({ ctx }) => readRecentLocalErrors(ctx.db)),
  pollNow: adminProcedure.mutation(async ({ ctx }) => (await pollHealth(ctx.db)).verdict),
});
