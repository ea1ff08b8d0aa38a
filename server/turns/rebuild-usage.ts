// Rebuilding the usage rollups (DailyUsage, FingerprintDailyUsage, DailyUsageTotal) from the raw
// turns for a range of UTC days: `offload db rebuild-usage`. For the days of a rolling upgrade, when
// an instance still on the previous version wrote turns without a rollup a newer migration added,
// or to check the rollups against the turns. Days before turnsRetainedFrom have no raw turns left
// and keep their totals (rebuildDailyUsage clamps to it and says so).
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { rebuildDailyUsage, type RebuildReport } from "@/server/db/record-turns";

const DAY_MS = 86_400_000;
/** The most days one rebuild may cover: ten years, the longest retention period. */
export const REBUILD_MAX_DAYS = 3_660;

const utcDay = (field: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a UTC day as YYYY-MM-DD`)
    .refine((s) => {
      const at = new Date(`${s}T00:00:00.000Z`);
      return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(s);
    }, `${field} is not a calendar day`);

export const rebuildUsageInput = z
  .object({ from: utcDay("from"), to: utcDay("to") })
  .refine((r) => r.from <= r.to, { path: ["to"], message: "to is before from" })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) < REBUILD_MAX_DAYS * DAY_MS, {
    path: ["to"],
    message: `a rebuild covers at most ${REBUILD_MAX_DAYS} days`,
  });

/** Rebuilds the rollups for the UTC days from `from` to `to`, both included. */
export async function rebuildUsage(db: Db, raw: z.input<typeof rebuildUsageInput>): Promise<RebuildReport> {
  const { from, to } = rebuildUsageInput.parse(raw);
  const start = new Date(`${from}T00:00:00.000Z`);
  const end = new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS);
  return rebuildDailyUsage(db, start, end);
}
