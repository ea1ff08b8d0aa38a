// Operator settings: one JSON value per key in Setting, validated with zod, defaults for what is missing.
// Changes the operator makes go through server/settings/manage-settings.ts, which audits each one;
// writeSettings here is the bare writer underneath it (and for tests that set up a database).
import { z } from "zod";
import type { Db } from "./client";
import { DEFAULT_SETTINGS, KV_CACHE_TYPES, type Settings } from "@/server/core/settings-defaults";
import { KEEP_EVERY_TURN, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from "@/server/core/turn-retention";

const modelName = z
  .string()
  .trim()
  .min(1, "a model name is required")
  .max(200, "a model name is at most 200 characters");

/** Why a heartbeat pattern does not compile as the turn reader compiles it (case-insensitive), or null. */
export function regexProblem(source: string): string | null {
  try {
    new RegExp(source, "i");
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: /, "");
  }
}

const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `a whole number of ${what}` })
    .int(`a whole number of ${what}`)
    .min(min, `at least ${min.toLocaleString("en-US")} ${what}`)
    .max(max, `at most ${max.toLocaleString("en-US")} ${what}`);
const num = (what: string, min: number, max: number) =>
  z
    .number({ error: `a number (${what})` })
    .min(min, `at least ${min.toLocaleString("en-US")} ${what}`.trimEnd())
    .max(max, `at most ${max.toLocaleString("en-US")} ${what}`.trimEnd());
const share = () =>
  z.number({ error: "a number from 0 to 1" }).min(0, "a number from 0 to 1").max(1, "a number from 0 to 1");
const flag = () => z.boolean({ error: "true or false" });

export const heartbeatPatternSchema = z
  .string({ error: "a regular expression (text)" })
  .trim()
  .min(1, "an empty pattern would match every turn")
  .max(500, "a pattern is at most 500 characters")
  .superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem) ctx.addIssue({ code: "custom", message: `not a valid regular expression (${problem})` });
  });

/** An Ollama server's base URL, without a trailing slash: http://gpu1:11434. */
export const ollamaHostSchema = z
  .string({ error: "an Ollama URL (text)" })
  .trim()
  .transform((v) => v.replace(/\/+$/, ""))
  .refine((v) => /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v) && URL.canParse(v), {
    message: "an Ollama host is an http(s) URL such as http://gpu1:11434",
  });

const RETENTION_RULE = `${KEEP_EVERY_TURN} (keep every turn) or ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS.toLocaleString("en-US")} days`;

/** Days raw turns are kept: 0 keeps every turn; a period is 31 days at least (the unpriced-models
 *  notice reads 30 days of turns) and ten years at most. */
export const turnRetentionDaysSchema = z
  .number({ error: `a whole number of days: ${RETENTION_RULE}` })
  .int(`a whole number of days: ${RETENTION_RULE}`)
  .refine((days) => days === KEEP_EVERY_TURN || days >= MIN_RETENTION_DAYS, {
    message: `at least ${MIN_RETENTION_DAYS} days, or ${KEEP_EVERY_TURN} to keep every turn (the unpriced-models notice reads the last 30 days of turns)`,
  })
  .refine((days) => days <= MAX_RETENTION_DAYS, {
    message: `at most ${MAX_RETENTION_DAYS.toLocaleString("en-US")} days (ten years), or ${KEEP_EVERY_TURN} to keep every turn`,
  });

export const settingsSchema = z.object({
  electricityUsdPerKwh: num("USD per kWh", 0, 10),
  gpuWatts: int("watts", 1, 5_000),
  gpuVramGb: num("GB", 1, 1_024),
  defaultLocalModel: modelName,
  defaultClaudeModel: modelName,
  localContextTokens: int("tokens", 2_048, 1_048_576),
  localAnswerReserveTokens: int("tokens", 256, 262_144),
  kvCacheType: z.enum(KV_CACHE_TYPES, { error: `one of ${KV_CACHE_TYPES.join(", ")}` }),
  localKeepAliveMinutes: int("minutes", 1, 24 * 60),
  localTimeoutSeconds: int("seconds", 1, 3_600),
  escalateWhenLocalDown: flag(),
  carefulToClaudeWhenDegraded: flag(),
  healthMinTokensPerSecond: num("tokens/s", 0, 10_000),
  healthMaxErrorRate: share(),
  healthMaxP95Seconds: num("seconds", 1, 3_600),
  healthProbeChat: flag(),
  counterfactualCachedShare: share(),
  classifierMinConfidence: share(),
  projectionAgents: int("agents", 1, 10_000),
  projectionHeartbeatMinutes: num("minutes", 0.5, 24 * 60),
  projectionActiveHours: num("hours", 0.5, 24),
  projectionTurnCostLowUsd: num("USD", 0, 100),
  projectionTurnCostHighUsd: num("USD", 0, 100),
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
  heartbeatPatterns: z.array(heartbeatPatternSchema).max(100, "at most 100 patterns"),
  fleetDailyBudgetUsd: num("USD", 0, 1_000_000),
  ollamaHosts: z
    .array(ollamaHostSchema)
    .max(32, "at most 32 Ollama hosts")
    .refine((hosts) => new Set(hosts).size === hosts.length, { message: "an Ollama host is named twice" }),
  turnRetentionDays: turnRetentionDaysSchema,
}) satisfies z.ZodType<Settings>;

export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
export type SettingKey = keyof Settings;

export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(DEFAULT_SETTINGS, key);
}

/** What readSettings and writeSettings need: a Db, or the `prisma` of a transaction. */
type SettingsClient = { prisma: Pick<Db["prisma"], "setting"> };

/** All settings: stored values over defaults. A stored value that no longer validates falls back to its default. */
export async function readSettings(db: SettingsClient): Promise<Settings> {
  const rows = await db.prisma.setting.findMany();
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    if (!isSettingKey(row.key)) continue;
    const parsed = settingsSchema.shape[row.key].safeParse(row.value);
    if (parsed.success) merged[row.key] = parsed.data;
  }
  return merged as Settings;
}

/** Rules between settings, on the whole set a change would leave: the first broken one, naming its field. */
export function crossCheckSettings(next: Settings): z.core.$ZodIssue | null {
  const issue = (path: SettingKey, message: string, input: unknown): z.core.$ZodIssue => ({
    code: "custom",
    path: [path],
    message,
    input,
  });
  if (next.projectionTurnCostLowUsd > next.projectionTurnCostHighUsd)
    return issue(
      "projectionTurnCostLowUsd",
      `must not exceed projectionTurnCostHighUsd (${next.projectionTurnCostHighUsd})`,
      next.projectionTurnCostLowUsd,
    );
  if (next.localAnswerReserveTokens >= next.localContextTokens)
    return issue(
      "localAnswerReserveTokens",
      `must be less than the local context, localContextTokens (${next.localContextTokens.toLocaleString("en-US")} tokens)`,
      next.localAnswerReserveTokens,
    );
  return null;
}

/** Stores already validated values, one row per key (inside the caller's transaction when given one). */
export async function writeSettings(db: SettingsClient, values: SettingsPatch): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await db.prisma.setting.upsert({
      where: { key },
      create: { key, value: value as never },
      update: { value: value as never },
    });
  }
}

/**
 * Validates a partial update (naming the bad field) and stores it in one transaction, without an
 * audit row: for tests and set-up. The operator's changes go through server/settings/manage-settings.ts
 * (audited, and the gateway's cached state dropped).
 */
export async function updateSettings(db: Db, patch: unknown): Promise<Settings> {
  const parsed = settingsPatchSchema.parse(patch);
  const next = { ...(await readSettings(db)), ...parsed };
  const broken = crossCheckSettings(next);
  if (broken) throw new z.ZodError([broken]);
  await db.prisma.$transaction((tx) => writeSettings({ prisma: tx }, parsed));
  return next;
}
