// The fleet's read models for the dashboard: overview, daily totals, costs, projection, one agent.
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { readFleetOverview } from "@/server/fleet/read-fleet-overview";
import { readDailyTotals } from "@/server/fleet/read-daily-totals";
import { readMeasuredProjection } from "@/server/fleet/read-measured-projection";
import { COST_RANGES, readCosts } from "@/server/costs/read-costs";
import { readAgentDetail } from "@/server/fleet/read-agent-detail";

export const fleetRouter = createTRPCRouter({
  overview: adminProcedure.query(({ ctx }) => readFleetOverview(ctx.db)),
  dailyTotals: adminProcedure
    .input(z.object({ days: z.literal(COST_RANGES) }))
    .query(({ ctx, input }) => readDailyTotals(ctx.db, input.days)),
  costs: adminProcedure
    .input(z.object({ days: z.literal(COST_RANGES) }))
    .query(({ ctx, input }) => readCosts(ctx.db, input.days)),
  agent: adminProcedure
    .input(z.object({ id: z.string().min(1, "an agent id is required") }))
    .query(({ ctx, input }) => readAgentDetail(ctx.db, input.id)),
  measuredProjection: adminProcedure.query(({ ctx }) => readMeasuredProjection(ctx.db)),
});
