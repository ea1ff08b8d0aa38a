-- AlterEnum
ALTER TYPE "TierChangeSubject" ADD VALUE 'model_mapping';

-- AlterEnum
ALTER TYPE "TurnStatus" ADD VALUE 'cancelled';
