import { adminProcedure, createTRPCRouter } from "../trpc";

export const taskTypesRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) =>
    ctx.db.prisma.taskType.findMany({ orderBy: [{ lane: "asc" }, { position: "asc" }, { id: "asc" }] }),
  ),
});
