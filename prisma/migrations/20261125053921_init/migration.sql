-- CreateEnum
CREATE TYPE "Pin" AS ENUM ('none', 'local', 'claude');

-- CreateEnum
CREATE TYPE "Lane" AS ENUM ('sidecar', 'local', 'local_careful', 'claude');

-- CreateEnum
CREATE TYPE "TurnStatus" AS ENUM ('ok', 'error', 'escalated');

-- CreateEnum
CREATE TYPE "UsageType" AS ENUM ('input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read');

-- CreateEnum
CREATE TYPE "TierChangeSubject" AS ENUM ('task_type', 'agent');

-- CreateEnum
CREATE TYPE "HealthStatus" AS ENUM ('up', 'degraded', 'down');

-- CreateEnum
CREATE TYPE "SmokeRunStatus" AS ENUM ('queued', 'running', 'passed', 'failed', 'cancelled', 'error');

-- CreateTable
CREATE TABLE "Agent" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT '',
    "pin" "Pin" NOT NULL DEFAULT 'none',
    "localModel" TEXT NOT NULL DEFAULT 'qwen3:8b',
    "claudeModel" TEXT NOT NULL DEFAULT 'claude-opus-4-6',
    "heartbeatMinutes" INTEGER NOT NULL DEFAULT 5,
    "activeHours" INTEGER NOT NULL DEFAULT 16,
    "apiKeyHash" TEXT,
    "apiKeyPrefix" TEXT,
    "keyRotatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3),
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "Agent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskType" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "lane" "Lane" NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "expectedShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "examples" TEXT[],
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TaskType_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" TEXT NOT NULL,
    "subjectType" "TierChangeSubject" NOT NULL,
    "subjectId" TEXT NOT NULL,
    "fromValue" TEXT NOT NULL,
    "toValue" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelPrice" (
    "id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "usageType" "UsageType" NOT NULL,
    "microUsdPerMTok" BIGINT NOT NULL,
    "effectiveFrom" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "isOverride" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelPrice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Turn" (
    "id" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "taskTypeId" TEXT,
    "lane" "Lane" NOT NULL,
    "requestedModel" TEXT NOT NULL,
    "servedModel" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheReadTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheWrite5mTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheWrite1hTokens" INTEGER NOT NULL DEFAULT 0,
    "latencyMs" INTEGER NOT NULL DEFAULT 0,
    "generationMs" INTEGER,
    "loadMs" INTEGER,
    "status" "TurnStatus" NOT NULL DEFAULT 'ok',
    "escalatedFromTurnId" TEXT,
    "reason" TEXT,
    "errorMessage" TEXT,
    "costMicroUsd" BIGINT,
    "counterfactualMicroUsd" BIGINT,
    "source" TEXT NOT NULL DEFAULT 'gateway',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Turn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DailyUsage" (
    "day" DATE NOT NULL,
    "agentId" TEXT NOT NULL,
    "taskTypeId" TEXT NOT NULL DEFAULT '',
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

    CONSTRAINT "DailyUsage_pkey" PRIMARY KEY ("day","agentId","taskTypeId","lane")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" TEXT NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "HealthStatus" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "ollamaVersion" TEXT,
    "responseMs" INTEGER,
    "loadedModels" JSONB NOT NULL DEFAULT '[]',
    "tokensPerSecond" DOUBLE PRECISION,
    "gpu" JSONB,

    CONSTRAINT "HealthSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SmokeRun" (
    "id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "status" "SmokeRunStatus" NOT NULL DEFAULT 'queued',
    "repeat" INTEGER NOT NULL DEFAULT 1,
    "passed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "costMicroUsd" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "SmokeRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SmokeResult" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "iteration" INTEGER NOT NULL DEFAULT 0,
    "task" TEXT NOT NULL,
    "capability" TEXT NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "reason" TEXT NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costMicroUsd" BIGINT,
    "output" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SmokeResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agent_apiKeyHash_key" ON "Agent"("apiKeyHash");

-- CreateIndex
CREATE INDEX "TierChange_createdAt_idx" ON "TierChange"("createdAt");

-- CreateIndex
CREATE INDEX "TierChange_subjectType_subjectId_createdAt_idx" ON "TierChange"("subjectType", "subjectId", "createdAt");

-- CreateIndex
CREATE INDEX "ModelPrice_model_idx" ON "ModelPrice"("model");

-- CreateIndex
CREATE UNIQUE INDEX "ModelPrice_model_usageType_effectiveFrom_isOverride_key" ON "ModelPrice"("model", "usageType", "effectiveFrom", "isOverride");

-- CreateIndex
CREATE INDEX "Turn_startedAt_idx" ON "Turn"("startedAt");

-- CreateIndex
CREATE INDEX "Turn_agentId_startedAt_idx" ON "Turn"("agentId", "startedAt");

-- CreateIndex
CREATE INDEX "Turn_taskTypeId_startedAt_idx" ON "Turn"("taskTypeId", "startedAt");

-- CreateIndex
CREATE INDEX "DailyUsage_agentId_day_idx" ON "DailyUsage"("agentId", "day");

-- CreateIndex
CREATE INDEX "DailyUsage_taskTypeId_day_idx" ON "DailyUsage"("taskTypeId", "day");

-- CreateIndex
CREATE INDEX "HealthSample_takenAt_idx" ON "HealthSample"("takenAt");

-- CreateIndex
CREATE INDEX "SmokeRun_startedAt_idx" ON "SmokeRun"("startedAt");

-- CreateIndex
CREATE INDEX "SmokeResult_runId_idx" ON "SmokeResult"("runId");

-- AddForeignKey
ALTER TABLE "Turn" ADD CONSTRAINT "Turn_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Turn" ADD CONSTRAINT "Turn_taskTypeId_fkey" FOREIGN KEY ("taskTypeId") REFERENCES "TaskType"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SmokeResult" ADD CONSTRAINT "SmokeResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SmokeRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
