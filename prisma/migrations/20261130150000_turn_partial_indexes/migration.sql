-- Partial indexes over Turn's rare rows, each covering the query that reads them (index-only scans).
-- EXPLAIN ANALYZE with 10,000,000 turns (docs/benchmarks.md): the unpriced-models notice (Fleet and
-- Costs pages) 7.4 s -> under 1 ms, the Tasks page's sidecar savings 1.2 s -> 17-33 ms, the Health
-- page's context planner 1.5 s -> 34 ms. Each holds only its rare rows, so they stay small.
--
-- Locking: CREATE INDEX (not CONCURRENTLY: migrations run in one transaction) blocks writes to Turn
-- while it builds; the turn writer's inserts wait. Each took 6-9 s at 10,000,000 turns on a busy
-- 2-core machine. With a large Turn table, an operator may create them beforehand with
-- CREATE INDEX CONCURRENTLY under the same names and then record this migration as applied.

-- CreateIndex
CREATE INDEX "Turn_unpriced_startedAt_idx" ON "Turn"("startedAt", "lane", "servedModel") WHERE ("costMicroUsd" IS NULL);

-- CreateIndex
CREATE INDEX "Turn_contextForced_startedAt_idx" ON "Turn"("startedAt") WHERE ("contextForcedClaude");

-- CreateIndex
CREATE INDEX "Turn_sidecar_startedAt_idx" ON "Turn"("startedAt", "lane", "counterfactualMicroUsd") WHERE (source = 'sidecar'::text);
