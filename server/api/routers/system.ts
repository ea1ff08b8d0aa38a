// The system router: what this server runs with, the operator's settings, and database upkeep.
import { adminProcedure, createTRPCRouter } from "../trpc";
import { readSettings, updateSettings, settingsPatchSchema } from "@/server/db/settings";
import { env } from "@/server/process/env";
import { seed } from "@/server/db/seed";
import { applyMigrations } from "@/server/db/migrate";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { z } from "zod";
import { OffloadError } from "@/server/core/errors";

export const systemRouter = createTRPCRouter({
  info: adminProcedure.query(({ ctx }) => {
    const { OLLAMA_HOST, ANTHROPIC_API_KEY, OFFLOAD_ADMIN_TOKEN } = env();
    return {
      db: ctx.db.kind,
      ollamaHost: OLLAMA_HOST,
      anthropicConfigured: !!ANTHROPIC_API_KEY,
      adminTokenConfigured: !!OFFLOAD_ADMIN_TOKEN,
    };
  }),
  settings: adminProcedure.query(({ ctx }) => readSettings(ctx.db)),
  // The gateway keeps settings in its per-second snapshot: drop it so that the change applies to the next turn.
  updateSettings: adminProcedure.input(settingsPatchSchema).mutation(async ({ ctx, input }) => {
    // Model mappings change only through their audited path (models router), never as a bare setting.
    if (input.modelMappings !== undefined)
      throw new OffloadError(
        "BAD_REQUEST",
        "modelMappings: change model mappings with models.addMapping and models.removeMapping, which audit them",
        "modelMappings",
      );
    const settings = await updateSettings(ctx.db, input);
    invalidateGatewayState();
    return settings;
  }),
  migrate: adminProcedure.mutation(({ ctx }) => applyMigrations(ctx.db)),
  seed: adminProcedure.input(z.object({ demo: z.boolean() })).mutation(({ ctx, input }) => seed(ctx.db, input)),
});
