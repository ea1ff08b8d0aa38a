-- The room kept for the answer when the gateway checked a local-lane turn against the local
-- context (the request's max_tokens, at most the localAnswerReserveTokens setting), so that the
-- Health page's context planner judges each context-forced turn as the gateway did. Nullable, no
-- rewrite of the table: older turns are judged with the setting, as before.
-- (Prisma's diff also proposed the three partial indexes of 20261130150000 again: its schema
-- engine does not read partial indexes back; they exist, and are left out here.)

-- AlterTable
ALTER TABLE "Turn" ADD COLUMN     "answerReserveTokens" INTEGER;
