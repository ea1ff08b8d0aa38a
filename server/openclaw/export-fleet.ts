// Offload's routing of the fleet as OpenClaw config: the providers and agent models connect would
// write (one Offload provider per agent, keys as ${OFFLOAD_KEY_<AGENT>} references, never the keys),
// pinned-local agents on ollama/<model>, heartbeat intervals; as a whole file in either roster
// shape, or as a merge patch for OpenClaw's config.patch. Importing it gives back the same fleet.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { exportRouting, toMergePatch } from "@/server/core/openclaw/export-routing";
import { readProviderModels } from "./provider-models";
import { configuredOllamaHosts } from "@/server/health/ollama-hosts";
import { readSettings } from "@/server/db/settings";

export const exportInput = z.object({
  shape: z.enum(["entries", "list"], { error: "shape: entries or list" }).default("entries"),
  patch: z.boolean().default(false),
  baseUrl: z.url({ protocol: /^https?$/, error: "baseUrl: an http(s) URL" }),
});
export type ExportInput = z.input<typeof exportInput>;

export async function exportOpenClawFleet(
  db: Db,
  raw: ExportInput,
): Promise<{ json: Record<string, unknown>; agents: number }> {
  const input = exportInput.parse(raw);
  const agents = await db.prisma.agent.findMany({
    where: { removedAt: null },
    orderBy: { id: "asc" },
    select: {
      id: true,
      name: true,
      pin: true,
      localModel: true,
      claudeModel: true,
      externalModel: true,
      heartbeatMinutes: true,
    },
  });
  const { rows: models } = await readProviderModels(
    db,
    agents.map((a) => a.claudeModel),
  );
  const config = exportRouting(agents, {
    shape: input.shape,
    baseUrl: input.baseUrl.replace(/\/+$/, ""),
    models,
    ollamaBaseUrl: configuredOllamaHosts(await readSettings(db))[0]!,
  });
  return { json: input.patch ? toMergePatch(config) : config, agents: agents.length };
}
