import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import {
  listTierChanges,
  moveTaskType,
  moveTaskTypeInput,
  readTierBoard,
  setAgentPin,
  setPinInput,
  undoTierChange,
} from "@/server/tiers/manage-tiers";

export const tiersRouter = createTRPCRouter({
  board: adminProcedure.query(({ ctx }) => readTierBoard(ctx.db)),
  changes: adminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => listTierChanges(ctx.db, input.limit)),
  moveTaskType: adminProcedure
    .input(moveTaskTypeInput)
    .mutation(({ ctx, input }) => moveTaskType(ctx.db, input, ctx.actor.name)),
  setPin: adminProcedure.input(setPinInput).mutation(({ ctx, input }) => setAgentPin(ctx.db, input, ctx.actor.name)),
  undo: adminProcedure
    .input(z.object({ changeId: z.string().min(1, "a change id is required") }))
    .mutation(({ ctx, input }) => undoTierChange(ctx.db, input.changeId, ctx.actor.name)),
});
