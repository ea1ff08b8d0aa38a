import { adminProcedure, createTRPCRouter } from "../trpc";
import { assignFingerprint, assignFingerprintInput } from "@/server/fingerprints/manage-fingerprints";
import {
  readRecentTurns,
  readRecurringFingerprints,
  recentTurnsInput,
  recurringInput,
} from "@/server/fingerprints/read-turns";

export const turnsRouter = createTRPCRouter({
  recent: adminProcedure.input(recentTurnsInput).query(({ ctx, input }) => readRecentTurns(ctx.db, input)),
  recurring: adminProcedure.input(recurringInput).query(({ ctx, input }) => readRecurringFingerprints(ctx.db, input)),
  assignFingerprint: adminProcedure
    .input(assignFingerprintInput)
    .mutation(({ ctx, input }) => assignFingerprint(ctx.db, input, ctx.actor.name)),
});
