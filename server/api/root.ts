// The list of routers: the whole dashboard and admin API.
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCRouter } from "./trpc";
import { agentsRouter } from "./routers/agents";
import { fleetRouter } from "./routers/fleet";
import { taskTypesRouter } from "./routers/task-types";
import { systemRouter } from "./routers/system";
import { routingRouter } from "./routers/routing";
import { tiersRouter } from "./routers/tiers";
import { healthRouter } from "./routers/health";
import { smokeRouter } from "./routers/smoke";
import { modelsRouter } from "./routers/models";
import { turnsRouter } from "./routers/turns";
import { openclawRouter } from "./routers/openclaw";
import { tasksRouter } from "./routers/tasks";

export const appRouter = createTRPCRouter({
  agents: agentsRouter,
  fleet: fleetRouter,
  taskTypes: taskTypesRouter,
  system: systemRouter,
  routing: routingRouter,
  tiers: tiersRouter,
  health: healthRouter,
  smoke: smokeRouter,
  models: modelsRouter,
  turns: turnsRouter,
  openclaw: openclawRouter,
  tasks: tasksRouter,
});

export type AppRouter = typeof appRouter;

/** What each procedure takes and answers, for components (which import server code as types only). */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
