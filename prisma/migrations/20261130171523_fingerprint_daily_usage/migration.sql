-- FingerprintDailyUsage: per UTC day x fingerprint x agent, the totals of the turns with a fingerprint
-- and the day's latest turn's lane and task type. The recurring turns (Turns page, Tiers tray) read it
-- instead of aggregating a week of Turn (2.5 to 4 s at 10,000,000 turns, docs/benchmarks.md). The turn
-- writer adds to it in the same transaction as the turns and DailyUsage (db/record-turns.ts).
--
-- (No semicolons in these comments: Prisma's WASM engine splits the script at every one.)

-- CreateTable
CREATE TABLE "FingerprintDailyUsage" (
    "day" DATE NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "turns" INTEGER NOT NULL DEFAULT 0,
    "claudeTurns" INTEGER NOT NULL DEFAULT 0,
    "contextForcedTurns" INTEGER NOT NULL DEFAULT 0,
    "costMicroUsd" BIGINT NOT NULL DEFAULT 0,
    "counterfactualMicroUsd" BIGINT NOT NULL DEFAULT 0,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "lastLane" "Lane" NOT NULL,
    "lastTaskTypeId" TEXT,

    CONSTRAINT "FingerprintDailyUsage_pkey" PRIMARY KEY ("day","fingerprint","agentId")
);

-- Backfill: the turns with a fingerprint already stored, summed per UTC day x fingerprint x agent in
-- one GROUP BY, each row's latest turn found by one probe of Turn's (fingerprint, startedAt) index
-- (at equal starts, the greater id's). The same statement as fingerprintUsageFromTurnsSql() in
-- db/fingerprint-usage.ts, which the repair tool (rebuildDailyUsage) and the bench's fill run.
-- Written in key order, so that a day's rows sit together (a week is read from a few hundred pages),
-- and before the secondary indexes and foreign keys below, which are then built once. It reads
-- Turn without blocking its writers. With several instances on one Postgres, one still running the
-- previous version after this migration writes turns the rollup does not count: once all run this
-- version, rebuild the days of the upgrade (rebuildDailyUsage, which rebuilds both rollups).
INSERT INTO "FingerprintDailyUsage" ("day", "fingerprint", "agentId", "turns", "claudeTurns", "contextForcedTurns",
  "costMicroUsd", "counterfactualMicroUsd", "lastSeenAt", "lastLane", "lastTaskTypeId")
SELECT g."day", g."fingerprint", g."agentId", g."turns", g."claudeTurns", g."contextForcedTurns",
  g."costMicroUsd", g."counterfactualMicroUsd", g."lastSeenAt", l."lane", l."taskTypeId"
FROM (
  SELECT "startedAt"::date AS "day", "fingerprint", "agentId", count(*)::int AS "turns",
    (count(*) FILTER (WHERE "lane" = 'claude'))::int AS "claudeTurns",
    (count(*) FILTER (WHERE "contextForcedClaude"))::int AS "contextForcedTurns",
    coalesce(sum("costMicroUsd"), 0)::bigint AS "costMicroUsd",
    coalesce(sum("counterfactualMicroUsd"), 0)::bigint AS "counterfactualMicroUsd",
    max("startedAt") AS "lastSeenAt"
  FROM "Turn" WHERE "fingerprint" IS NOT NULL
  GROUP BY 1, 2, 3
) g
CROSS JOIN LATERAL (
  SELECT t."lane", t."taskTypeId" FROM "Turn" t
  WHERE t."fingerprint" = g."fingerprint" AND t."startedAt" = g."lastSeenAt" AND t."agentId" = g."agentId"
  ORDER BY t."id" DESC LIMIT 1
) l
ORDER BY g."day", g."fingerprint", g."agentId";

-- CreateIndex
CREATE INDEX "FingerprintDailyUsage_fingerprint_day_idx" ON "FingerprintDailyUsage"("fingerprint", "day");

-- CreateIndex
CREATE INDEX "FingerprintDailyUsage_agentId_day_idx" ON "FingerprintDailyUsage"("agentId", "day");

-- AddForeignKey
ALTER TABLE "FingerprintDailyUsage" ADD CONSTRAINT "FingerprintDailyUsage_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FingerprintDailyUsage" ADD CONSTRAINT "FingerprintDailyUsage_lastTaskTypeId_fkey" FOREIGN KEY ("lastTaskTypeId") REFERENCES "TaskType"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Statistics for the planner at once (autovacuum would gather them later): without them it read the
-- whole table for a week's rows.
ANALYZE "FingerprintDailyUsage";
