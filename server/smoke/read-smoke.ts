// Smoke runs as the dashboard and the CLI read them.
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/errors";

export async function readSmokeRun(db: Db, id: string) {
  const run = await db.prisma.smokeRun.findUnique({ where: { id }, include: { results: { orderBy: [{ iteration: "asc" }, { createdAt: "asc" }] } } });
  if (!run) throw new OffloadError("NOT_FOUND", `no smoke run ${id}`, "id");
  return run;
}

export async function listSmokeRuns(db: Db, limit = 50) {
  return db.prisma.smokeRun.findMany({ orderBy: { startedAt: "desc" }, take: limit });
}
