// Reads the price table in force: per model and usage type, the newest row effective at `at`,
// an operator's override winning over the seeded list price.
import type { Db } from "./client";
import type { UsageType } from "@/server/core/cost/price-table";
import type { PricePerMTok } from "@/server/core/cost/price-usage";

/** `db` may be a transaction's client (`{ prisma: tx }`), for a change that must read the prices it replaces. */
export async function readPriceMap(
  db: { prisma: Pick<Db["prisma"], "modelPrice"> },
  at: Date = new Date(),
): Promise<Map<string, PricePerMTok>> {
  const rows = await db.prisma.modelPrice.findMany({
    where: { effectiveFrom: { lte: at } },
    orderBy: [{ isOverride: "asc" }, { effectiveFrom: "asc" }],
  });
  const partial = new Map<string, Partial<Record<UsageType, bigint>>>();
  for (const row of rows) {
    const entry = partial.get(row.model) ?? {};
    entry[row.usageType] = row.microUsdPerMTok; // later rows (newer, overrides last) win
    partial.set(row.model, entry);
  }
  const complete = new Map<string, PricePerMTok>();
  for (const [model, entry] of partial) {
    if (
      entry.input !== undefined &&
      entry.output !== undefined &&
      entry.cache_read !== undefined &&
      entry.cache_write_5m !== undefined &&
      entry.cache_write_1h !== undefined
    ) {
      complete.set(model, entry as PricePerMTok);
    }
  }
  return complete;
}
