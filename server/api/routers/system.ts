import { adminProcedure, createTRPCRouter } from "../trpc";
import { readSettings, updateSettings, settingsPatchSchema } from "@/server/db/settings";
import { readEnv } from "@/server/env";
import { seed } from "@/server/db/seed";
import { applyMigrations } from "@/server/db/migrate";
import { z } from "zod";

export const systemRouter = createTRPCRouter({
  info: adminProcedure.query(({ ctx }) => {
    const env = readEnv();
    return {
      db: ctx.db.kind,
      ollamaHost: env.OLLAMA_HOST,
      anthropicConfigured: !!env.ANTHROPIC_API_KEY,
      adminTokenConfigured: !!env.OFFLOAD_ADMIN_TOKEN,
    };
  }),
  settings: adminProcedure.query(({ ctx }) => readSettings(ctx.db)),
  updateSettings: adminProcedure.input(settingsPatchSchema).mutation(({ ctx, input }) => updateSettings(ctx.db, input)),
  migrate: adminProcedure.mutation(({ ctx }) => applyMigrations(ctx.db)),
  seed: adminProcedure.input(z.object({ demo: z.boolean() })).mutation(({ ctx, input }) => seed(ctx.db, input)),
});
