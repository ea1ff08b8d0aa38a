-- A pool of Ollama hosts: each health sample keeps every host's view, and a local turn records
-- the host that served it. Both are cheap on Postgres (a nullable column and a column with a
-- constant default are added without rewriting the table).
ALTER TABLE "HealthSample" ADD COLUMN     "hosts" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Turn" ADD COLUMN     "localHost" TEXT;
