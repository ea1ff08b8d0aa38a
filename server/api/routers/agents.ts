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
} from "@/server/agents/manage-agents";

export const agentsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listAgents(ctx.db)),
  add: adminProcedure.input(addAgentInput).mutation(({ ctx, input }) => addAgent(ctx.db, input)),
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
