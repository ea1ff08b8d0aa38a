import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import {
  addAgent,
  addAgentInput,
  agentIdSchema,
  listAgents,
  removeAgent,
  revokeAgentKey,
  rotateAgentKey,
  updateAgentLimits,
  updateAgentLimitsInput,
} from "@/server/agents/manage-agents";
import { readBudgets } from "@/server/budgets/read-budgets";

export const agentsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listAgents(ctx.db)),
  add: adminProcedure.input(addAgentInput).mutation(({ ctx, input }) => addAgent(ctx.db, input)),
  /** An agent's daily Claude budget (USD), requests per minute and over-budget action; null removes a limit. */
  updateLimits: adminProcedure
    .input(updateAgentLimitsInput)
    .mutation(({ ctx, input }) => updateAgentLimits(ctx.db, input)),
  /** Today's Claude spend against the fleet's and each agent's daily budget (the dashboard's alert). */
  budgets: adminProcedure.query(({ ctx }) => readBudgets(ctx.db)),
  rotateKey: adminProcedure
    .input(z.object({ id: agentIdSchema }))
    .mutation(({ ctx, input }) => rotateAgentKey(ctx.db, input.id)),
  revokeKey: adminProcedure
    .input(z.object({ id: agentIdSchema }))
    .mutation(({ ctx, input }) => revokeAgentKey(ctx.db, input.id)),
  remove: adminProcedure
    .input(z.object({ id: agentIdSchema }))
    .mutation(({ ctx, input }) => removeAgent(ctx.db, input.id)),
});
