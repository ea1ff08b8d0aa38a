-- CreateEnum
CREATE TYPE "OverBudget" AS ENUM ('refuse', 'downgrade');

-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "dailyBudgetMicroUsd" BIGINT,
ADD COLUMN     "overBudget" "OverBudget" NOT NULL DEFAULT 'refuse',
ADD COLUMN     "requestsPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "DailyUsage" ADD COLUMN     "reportedCostMicroUsd" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "reportedTurns" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "DeadTurn" (
    "id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "error" TEXT NOT NULL,
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeadTurn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminSession" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "address" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "AdminSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DeadTurn_failedAt_idx" ON "DeadTurn"("failedAt");

-- CreateIndex
CREATE INDEX "AdminSession_expiresAt_idx" ON "AdminSession"("expiresAt");
