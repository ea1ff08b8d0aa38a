-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "TierChangeSubject" ADD VALUE 'fingerprint';
ALTER TYPE "TierChangeSubject" ADD VALUE 'setting';

-- AlterTable
ALTER TABLE "Turn" ADD COLUMN     "confidence" DOUBLE PRECISION,
ADD COLUMN     "contextForcedClaude" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "fingerprint" TEXT,
ADD COLUMN     "promptTokens" INTEGER;

-- CreateTable
CREATE TABLE "Fingerprint" (
    "id" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "taskTypeId" TEXT,
    "assignedBy" TEXT,
    "assignedAt" TIMESTAMP(3),

    CONSTRAINT "Fingerprint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Turn_fingerprint_startedAt_idx" ON "Turn"("fingerprint", "startedAt");

-- AddForeignKey
ALTER TABLE "Fingerprint" ADD CONSTRAINT "Fingerprint_taskTypeId_fkey" FOREIGN KEY ("taskTypeId") REFERENCES "TaskType"("id") ON DELETE SET NULL ON UPDATE CASCADE;
