import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { cancelTask, queueTask, queueTaskInput, requeueTask } from "@/server/tasks/task-queue";
import { readTaskOverview, taskListInput } from "@/server/tasks/read-tasks";

const taskId = z.object({ id: z.string().trim().min(1).max(64) });

export const tasksRouter = createTRPCRouter({
  /** The queue by lane and status, throughput, failures and the tasks (filtered): the Tasks page. */
  overview: adminProcedure.input(taskListInput.optional()).query(({ ctx, input }) => readTaskOverview(ctx.db, input)),
  /** Queue a task from the dashboard (routed as POST /api/v1/tasks routes it). */
  queue: adminProcedure
    .input(queueTaskInput)
    .mutation(({ ctx, input }) => queueTask(ctx.db, input, { kind: "admin", name: ctx.actor.name })),
  requeue: adminProcedure.input(taskId).mutation(({ ctx, input }) => requeueTask(ctx.db, input.id)),
  cancel: adminProcedure.input(taskId).mutation(({ ctx, input }) => cancelTask(ctx.db, input.id)),
});
