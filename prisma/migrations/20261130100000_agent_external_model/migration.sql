-- An OpenClaw import records the primary model of an agent that is neither local nor Claude.
ALTER TABLE "Agent" ADD COLUMN "externalModel" TEXT;
