// Operator settings: one JSON value per key in Setting, validated with zod, defaults for what is missing.
import { z } from "zod";
import type { Db } from "./client";
import { DEFAULT_SETTINGS, type Settings } from "@/server/core/settings-defaults";

const modelName = z.string().trim().min(1).max(200);

/** Whether a heartbeat pattern compiles as the turn reader compiles it (case-insensitive). */
function compiles(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}

export const settingsSchema = z.object({
  electricityUsdPerKwh: z.number().min(0).max(10),
  gpuWatts: z.number().int().min(1).max(5_000),
  gpuVramGb: z.number().min(1).max(1_024),
  defaultLocalModel: modelName,
  defaultClaudeModel: modelName,
  localContextTokens: z.number().int().min(2_048).max(1_048_576),
  localKeepAliveMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  localTimeoutSeconds: z.number().int().min(1).max(3_600),
  escalateWhenLocalDown: z.boolean(),
  carefulToClaudeWhenDegraded: z.boolean(),
  healthMinTokensPerSecond: z.number().min(0).max(10_000),
  healthMaxErrorRate: z.number().min(0).max(1),
  healthMaxP95Seconds: z.number().min(1).max(3_600),
  healthProbeChat: z.boolean(),
  counterfactualCachedShare: z.number().min(0).max(1),
  classifierMinConfidence: z.number().min(0).max(1),
  projectionAgents: z.number().int().min(1).max(10_000),
  projectionHeartbeatMinutes: z
    .number()
    .min(0.5)
    .max(24 * 60),
  projectionActiveHours: z.number().min(0.5).max(24),
  projectionTurnCostLowUsd: z.number().min(0).max(100),
  projectionTurnCostHighUsd: z.number().min(0).max(100),
  modelMappings: z
    .array(
      z.strictObject({
        from: modelName,
        to: modelName,
        agentId: z.string().trim().min(1).nullable(),
        taskTypeId: z.string().trim().min(1).nullable(),
      }),
    )
    .max(200),
  heartbeatPatterns: z
    .array(z.string().trim().min(1).max(500).refine(compiles, { error: "not a valid regular expression" }))
    .max(100),
}) satisfies z.ZodType<Settings>;

export const settingsPatchSchema = settingsSchema.partial().strict();

/** All settings: stored values over defaults. A stored value that no longer validates falls back to its default. */
export async function readSettings(db: Db): Promise<Settings> {
  const rows = await db.prisma.setting.findMany();
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    if (!(row.key in DEFAULT_SETTINGS)) continue;
    const field = settingsSchema.shape[row.key as keyof Settings];
    const parsed = field.safeParse(row.value);
    if (parsed.success) merged[row.key] = parsed.data;
  }
  return merged as Settings;
}

/**
 * Validates a partial update (naming the bad field) and stores it in one transaction. The gateway
 * caches settings for a second; the admin API (api/routers/system) drops that cache after this.
 */
export async function updateSettings(db: Db, patch: unknown): Promise<Settings> {
  const parsed = settingsPatchSchema.parse(patch);
  const next = { ...(await readSettings(db)), ...parsed };
  if (next.projectionTurnCostLowUsd > next.projectionTurnCostHighUsd) {
    throw new z.ZodError([
      {
        code: "custom",
        path: ["projectionTurnCostLowUsd"],
        message: "must not exceed projectionTurnCostHighUsd",
        input: next.projectionTurnCostLowUsd,
      },
    ]);
  }
  await db.prisma.$transaction(
    Object.entries(parsed).map(([key, value]) =>
      db.prisma.setting.upsert({
        where: { key },
        create: { key, value: value as never },
        update: { value: value as never },
      }),
    ),
  );
  return next;
}
