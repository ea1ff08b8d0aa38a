import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { importOpenClawFleet, previewOpenClawImport } from "@/server/openclaw/import-fleet";
import { prepareConnectInput, prepareOpenClawConnect } from "@/server/openclaw/prepare-connect";
import { exportInput, exportOpenClawFleet } from "@/server/openclaw/export-fleet";
import { connectOpenClawFile, disconnectOpenClawFile, resolveOpenClawPaths } from "@/server/openclaw/connect-files";

const configText = z.object({
  text: z.string().max(4_000_000, "config: at most 4 MB"),
  fileName: z.string().trim().max(500).optional(),
});

/** A config file on the server's machine (the Fleet page's connect), absolute; defaults to OpenClaw's own. */
const configFile = z.object({
  configPath: z
    .string()
    .trim()
    .max(4_096)
    .refine((p) => p === "" || p.startsWith("/") || p.startsWith("~/"), "an absolute path (or ~/...)")
    .optional(),
  dryRun: z.boolean().optional(),
});

export const openclawRouter = createTRPCRouter({
  /** What importing this openclaw.json would change (nothing is stored). */
  previewImport: adminProcedure.input(configText).mutation(({ ctx, input }) => previewOpenClawImport(ctx.db, input)),
  import: adminProcedure
    .input(configText)
    .mutation(({ ctx, input }) => importOpenClawFleet(ctx.db, input, ctx.actor.name)),
  /** Connect's database half, for a CLI that reads and writes the files itself. */
  prepareConnect: adminProcedure
    .input(prepareConnectInput)
    .mutation(({ ctx, input }) => prepareOpenClawConnect(ctx.db, input, ctx.actor.name)),
  /** Connect run by the server on a config file of its own machine (the Fleet page). */
  connectFile: adminProcedure
    .input(
      configFile.extend({
        baseUrl: prepareConnectInput.shape.baseUrl,
        agents: prepareConnectInput.shape.agents,
        heartbeatDirect: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      connectOpenClawFile((prepared) => prepareOpenClawConnect(ctx.db, prepared, ctx.actor.name), {
        ...resolveOpenClawPaths(input.configPath),
        baseUrl: input.baseUrl,
        ...(input.agents ? { agents: input.agents } : {}),
        ...(input.heartbeatDirect ? { heartbeatDirect: true } : {}),
        ...(input.dryRun ? { dryRun: true } : {}),
      }),
    ),
  disconnectFile: adminProcedure
    .input(configFile)
    .mutation(({ input }) =>
      disconnectOpenClawFile({ ...resolveOpenClawPaths(input.configPath), ...(input.dryRun ? { dryRun: true } : {}) }),
    ),
  export: adminProcedure.input(exportInput).query(({ ctx, input }) => exportOpenClawFleet(ctx.db, input)),
});
