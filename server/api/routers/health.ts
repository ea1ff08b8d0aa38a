import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { readHealthHistory, readHealthStatus, readRecentLocalErrors } from "@/server/health/read-health";
import { pollHealth } from "@/server/health/health-monitor";
import { readLocalContext } from "@/server/health/read-local-context";
import { planContext } from "@/server/health/plan-context";
import { readMetering } from "@/server/health/read-metering";

export const healthRouter = createTRPCRouter({
  status: adminProcedure.query(({ ctx }) => readHealthStatus(ctx.db)),
  history: adminProcedure
    .input(z.object({ hours: z.number().int().min(1).max(168) }))
    .query(({ ctx, input }) => readHealthHistory(ctx.db, input.hours)),
  recentErrors: adminProcedure.query(({ ctx }) => readRecentLocalErrors(ctx.db)),
  pollNow: adminProcedure.mutation(async ({ ctx }) => (await pollHealth(ctx.db)).verdict),
  /** What the local context costs each local model in GPU memory (Ollama's /api/show, cached). */
  localContext: adminProcedure.query(({ ctx }) => readLocalContext(ctx.db)),
  /** Last 7 days' turns sent to Claude only for their size, and what larger contexts would keep local. */
  contextPlan: adminProcedure.query(({ ctx }) => planContext(ctx.db)),
  /** Turns waiting for the database or spooled, and turns the database refused (DeadTurn). */
  metering: adminProcedure.query(({ ctx }) => readMetering(ctx.db)),
});
