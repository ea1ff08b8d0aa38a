// The system router: what this server runs with, the operator's settings (changes audited, with
// undo), and database upkeep.
import { adminProcedure, createTRPCRouter } from "../trpc";
import { readSettings } from "@/server/db/settings";
import { env } from "@/server/process/env";
import { configuredOllamaHosts, ollamaHostsSource } from "@/server/health/ollama-hosts";
import { seed } from "@/server/db/seed";
import { applyMigrations } from "@/server/db/migrate";
import {
  changeSettings,
  listSettingChanges,
  listSettingChangesInput,
  undoSettingChange,
  undoSettingChangeInput,
  updateSettingsInput,
} from "@/server/settings/manage-settings";
import { readTurnRetention, retireTurns } from "@/server/turns/retire-turns";
import { rebuildUsage, rebuildUsageInput } from "@/server/turns/rebuild-usage";
import { z } from "zod";

export const systemRouter = createTRPCRouter({
  info: adminProcedure.query(async ({ ctx }) => {
    const { ANTHROPIC_API_KEY, OFFLOAD_ADMIN_TOKEN } = env();
    const settings = await readSettings(ctx.db);
    return {
      db: ctx.db.kind,
      ollamaHosts: configuredOllamaHosts(settings),
      ollamaHostsSource: ollamaHostsSource(settings),
      // What the environment gives when the setting is empty, and which variable gives it.
      environmentOllamaHosts: configuredOllamaHosts({ ollamaHosts: [] }),
      environmentOllamaHostsSource: ollamaHostsSource({ ollamaHosts: [] }),
      anthropicConfigured: !!ANTHROPIC_API_KEY,
      adminTokenConfigured: !!OFFLOAD_ADMIN_TOKEN,
    };
  }),
  settings: adminProcedure.query(({ ctx }) => readSettings(ctx.db)),
  /** The retention period of raw turns in force, the day they are kept from and the job's last run. */
  retention: adminProcedure.query(({ ctx }) => readTurnRetention(ctx.db)),
  /** Runs the retention job now rather than at its next turn (busy: another instance's run is under way). */
  retireTurnsNow: adminProcedure.mutation(({ ctx }) => retireTurns(ctx.db)),
  /** Audited per key; applies to the gateway's next turn. Model mappings are refused: the models router changes them. */
  updateSettings: adminProcedure
    .input(updateSettingsInput)
    .mutation(({ ctx, input }) => changeSettings(ctx.db, input, ctx.actor.name)),
  settingChanges: adminProcedure
    .input(listSettingChangesInput)
    .query(({ ctx, input }) => listSettingChanges(ctx.db, input.limit)),
  undoSettingChange: adminProcedure
    .input(undoSettingChangeInput)
    .mutation(({ ctx, input }) => undoSettingChange(ctx.db, input.changeId, ctx.actor.name)),
  migrate: adminProcedure.mutation(({ ctx }) => applyMigrations(ctx.db)),
  /** Recomputes the usage rollups from the raw turns for a range of UTC days (offload db rebuild-usage). */
  rebuildUsage: adminProcedure.input(rebuildUsageInput).mutation(({ ctx, input }) => rebuildUsage(ctx.db, input)),
  seed: adminProcedure.input(z.object({ demo: z.boolean() })).mutation(({ ctx, input }) => seed(ctx.db, input)),
});
