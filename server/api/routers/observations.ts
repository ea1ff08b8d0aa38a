// Read-only views of what the health poller and smoke runner store (filled by their issues).
import { adminProcedure, createTRPCRouter } from "../trpc";

export const observationsRouter = createTRPCRouter({
  latestHealth: adminProcedure.query(({ ctx }) => ctx.db.prisma.healthSample.findFirst({ orderBy: { takenAt: "desc" } })),
  smokeRuns: adminProcedure.query(({ ctx }) => ctx.db.prisma.smokeRun.findMany({ orderBy: { startedAt: "desc" }, take: 50 })),
});
