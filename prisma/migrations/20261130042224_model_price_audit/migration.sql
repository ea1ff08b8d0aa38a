-- AlterEnum
ALTER TYPE "TierChangeSubject" ADD VALUE 'model_price';
