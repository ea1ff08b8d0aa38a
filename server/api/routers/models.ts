// The models router: operator model mappings and prices for unpriced models, each change audited
// (the audit and its undo are the tiers router's changes/undo).
import { adminProcedure, createTRPCRouter } from "../trpc";
import {
  addModelMapping,
  addModelMappingInput,
  listModelMappings,
  removeModelMapping,
  removeModelMappingInput,
} from "@/server/models/manage-model-mappings";
import {
  addModelPrice,
  addModelPriceInput,
  readUnpricedModels,
  repriceUnpricedTurns,
} from "@/server/models/manage-model-prices";

export const modelsRouter = createTRPCRouter({
  mappings: adminProcedure.query(({ ctx }) => listModelMappings(ctx.db)),
  addMapping: adminProcedure
    .input(addModelMappingInput)
    .mutation(({ ctx, input }) => addModelMapping(ctx.db, input, ctx.actor.name)),
  removeMapping: adminProcedure
    .input(removeModelMappingInput)
    .mutation(({ ctx, input }) => removeModelMapping(ctx.db, input, ctx.actor.name)),
  /** Claude models with unpriced turns over the last 30 days. */
  unpriced: adminProcedure.query(({ ctx }) => readUnpricedModels(ctx.db)),
  addPrice: adminProcedure
    .input(addModelPriceInput)
    .mutation(({ ctx, input }) => addModelPrice(ctx.db, input, ctx.actor.name)),
  /** Prices the unpriced turns whose model has a price now (turns in flight while it was added). */
  repriceUnpriced: adminProcedure.mutation(({ ctx }) => repriceUnpricedTurns(ctx.db)),
});
