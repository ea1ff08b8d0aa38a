// Seeds the catalogue (task types, prices, settings) and, once, a demo fleet with 30 days of turns.
// Idempotent: it only inserts what is missing, so nothing an operator changed is overwritten.
import crypto from "node:crypto";
import type { Db } from "./client";
import { SEED_CATALOGUE } from "@/server/core/catalogue";
import { DEFAULT_PRICE_TABLE, PRICE_TABLE_EFFECTIVE_FROM, USAGE_TYPES } from "@/server/core/cost/price-table";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { DEMO_AGENTS, generateDemoTurns } from "@/server/core/demo-fleet";
import { recordTurns } from "./record-turns";
import { readPriceMap } from "./prices";
import { readSettings } from "./settings";

export type SeedReport = { taskTypes: number; prices: number; settings: number; demoAgents: number; demoTurns: number };

const DEMO_MARKER = "demoSeededAt";

export async function seedCatalogue(db: Db): Promise<Omit<SeedReport, "demoAgents" | "demoTurns">> {
  const lanePositions = new Map<string, number>();
  const taskTypes = await db.prisma.taskType.createMany({
    data: SEED_CATALOGUE.map((t) => {
      const position = lanePositions.get(t.lane) ?? 0;
      lanePositions.set(t.lane, position + 1);
      return { ...t, position };
    }),
    skipDuplicates: true,
  });
  const effectiveFrom = new Date(PRICE_TABLE_EFFECTIVE_FROM);
  const prices = await db.prisma.modelPrice.createMany({
    data: DEFAULT_PRICE_TABLE.flatMap((row) =>
      USAGE_TYPES.map((usageType) => ({
        model: row.model,
        usageType,
        microUsdPerMTok: BigInt(row[usageType]),
        effectiveFrom,
        isOverride: false,
      })),
    ),
    skipDuplicates: true,
  });
  const settings = await db.prisma.setting.createMany({
    data: Object.entries(DEFAULT_SETTINGS).map(([key, value]) => ({ key, value })),
    skipDuplicates: true,
  });
  return { taskTypes: taskTypes.count, prices: prices.count, settings: settings.count };
}

/**
 * The demo fleet, once per database: skipped when it was seeded before (even if the operator
 * removed it since) or when the operator already has agents of their own.
 */
export async function seedDemoFleet(
  db: Db,
  now: Date = new Date(),
  days = 30,
): Promise<{ demoAgents: number; demoTurns: number }> {
  const marker = await db.prisma.setting.findUnique({ where: { key: DEMO_MARKER } });
  if (marker || (await db.prisma.agent.count()) > 0) return { demoAgents: 0, demoTurns: 0 };
  const [prices, settings] = await Promise.all([readPriceMap(db, now), readSettings(db)]);
  const turns = generateDemoTurns({
    now,
    days,
    catalogue: SEED_CATALOGUE,
    prices,
    settings,
    makeId: () => crypto.randomUUID(),
  });
  const lastSeen = new Map<string, Date>();
  for (const t of turns)
    if (!lastSeen.has(t.agentId) || lastSeen.get(t.agentId)! < t.startedAt) lastSeen.set(t.agentId, t.startedAt);
  await db.prisma.agent.createMany({
    data: DEMO_AGENTS.map(({ reasoningTilt: _tilt, ...a }) => ({
      ...a,
      createdAt: new Date(now.getTime() - days * 86_400_000),
      lastSeenAt: lastSeen.get(a.id) ?? null,
    })),
  });
  await recordTurns(db, turns);
  await db.prisma.setting.create({ data: { key: DEMO_MARKER, value: now.toISOString() } });
  return { demoAgents: DEMO_AGENTS.length, demoTurns: turns.length };
}

export async function seed(db: Db, options: { demo: boolean; now?: Date }): Promise<SeedReport> {
  const catalogue = await seedCatalogue(db);
  const demo = options.demo ? await seedDemoFleet(db, options.now) : { demoAgents: 0, demoTurns: 0 };
  return { ...catalogue, ...demo };
}
