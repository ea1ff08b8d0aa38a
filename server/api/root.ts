// The list of routers: the whole dashboard and admin API.
import { createCallerFactory, createTRPCRouter } from "./trpc";
import { agentsRouter } from "./routers/agents";
import { fleetRouter } from "./routers/fleet";
import { taskTypesRouter } from "./routers/task-types";
import { systemRouter } from "./routers/system";
import { routingRouter } from "./routers/routing";
import { tiersRouter } from "./routers/tiers";
import { healthRouter } from "./routers/health";
import { smokeRouter } from "./routers/smoke";

export const appRouter = createTRPCRouter({
  agents: agentsRouter,
  fleet: fleetRouter,
  taskTypes: taskTypesRouter,
  system: systemRouter,
  routing: routingRouter,
  tiers: tiersRouter,
  health: healthRouter,
  smoke: smokeRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
