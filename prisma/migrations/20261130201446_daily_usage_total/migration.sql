-- DailyUsageTotal: DailyUsage summed per UTC day x lane over one of its dimensions, a row per day x
-- agent x lane (dimension 'agent') and per day x task type x lane (dimension 'taskType'). The Costs
-- page reads it instead of aggregating DailyUsage's days x agents x task types x lanes (145,000 rows
-- for 90 days of 40 agents and 26 task types: 97 ms at p50 and 141 at p95 on an idle machine,
-- docs/benchmarks.md). The turn writer, repricing and the repair tool keep it in step with
-- DailyUsage in the same transactions (db/daily-usage-total.ts).
--
-- (No semicolons in these comments: Prisma's WASM engine splits the script at every one.)
-- (Prisma's diff also proposed the three partial indexes of 20261130150000 again, as its schema
-- engine does not read partial indexes back. They exist and are left out here.)

-- CreateTable
CREATE TABLE "DailyUsageTotal" (
    "day" DATE NOT NULL,
    "dimension" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "lane" "Lane" NOT NULL,
    "turns" INTEGER NOT NULL DEFAULT 0,
    "errorTurns" INTEGER NOT NULL DEFAULT 0,
    "escalatedTurns" INTEGER NOT NULL DEFAULT 0,
    "unpricedTurns" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheReadTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "latencyMsTotal" BIGINT NOT NULL DEFAULT 0,
    "costMicroUsd" BIGINT NOT NULL DEFAULT 0,
    "counterfactualMicroUsd" BIGINT NOT NULL DEFAULT 0,
    "reportedTurns" INTEGER NOT NULL DEFAULT 0,
    "reportedCostMicroUsd" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "DailyUsageTotal_pkey" PRIMARY KEY ("day","dimension","key","lane"),
    CONSTRAINT "DailyUsageTotal_dimension_check" CHECK ("dimension" IN ('agent', 'taskType'))
);

-- Repricing before this release moved a reported turn's cost without its DailyUsage row's
-- reportedCostMicroUsd. Recount it from the reported turns still kept (days before a retention
-- period's cut keep theirs, there are no turns left to count). Rows without reported turns are right.
UPDATE "DailyUsage" d SET "reportedCostMicroUsd" = r."cost"
FROM (
  SELECT "startedAt"::date AS "day", "agentId", coalesce("taskTypeId", '') AS "taskTypeId", "lane",
    coalesce(sum("costMicroUsd"), 0)::bigint AS "cost"
  FROM "Turn" WHERE "source" = 'reported'
  GROUP BY 1, 2, 3, 4
) r
WHERE d."day" = r."day" AND d."agentId" = r."agentId" AND d."taskTypeId" = r."taskTypeId" AND d."lane" = r."lane"
  AND d."reportedCostMicroUsd" <> r."cost";

-- Backfill from DailyUsage, in key order (a day's rows together). The same statement as
-- dailyUsageTotalFromDailySql() in db/daily-usage-total.ts, which the repair tool runs. With several
-- instances on one Postgres, one still running the previous version after this migration writes
-- turns this table does not count: once all run this version, rebuild the days of the upgrade
-- (rebuildDailyUsage rebuilds every rollup).
INSERT INTO "DailyUsageTotal" ("day", "dimension", "key", "lane", "turns", "errorTurns", "escalatedTurns", "unpricedTurns",
  "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "latencyMsTotal", "costMicroUsd",
  "counterfactualMicroUsd", "reportedTurns", "reportedCostMicroUsd")
SELECT "day", "dimension", "key", "lane", sum("turns")::int, sum("errorTurns")::int, sum("escalatedTurns")::int,
  sum("unpricedTurns")::int, sum("inputTokens")::bigint, sum("outputTokens")::bigint, sum("cacheReadTokens")::bigint,
  sum("cacheWriteTokens")::bigint, sum("latencyMsTotal")::bigint, sum("costMicroUsd")::bigint,
  sum("counterfactualMicroUsd")::bigint, sum("reportedTurns")::int, sum("reportedCostMicroUsd")::bigint
FROM (
  SELECT d.*, 'agent' AS "dimension", d."agentId" AS "key" FROM "DailyUsage" d
  UNION ALL
  SELECT d.*, 'taskType' AS "dimension", d."taskTypeId" AS "key" FROM "DailyUsage" d
) u
GROUP BY "day", "dimension", "key", "lane"
ORDER BY "day", "dimension", "key", "lane";

ANALYZE "DailyUsageTotal";
