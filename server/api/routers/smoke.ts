import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { cancelSmokeRun, markInterruptedSmokeRuns, startSmokeRun } from "@/server/smoke/run-smoke";
import { compareSmokeRuns, listSmokeRuns, readSmokeOptions, readSmokeRun } from "@/server/smoke/read-smoke";
import { OffloadError } from "@/server/core/errors";
import { isLiveRun } from "@/server/core/smoke/compare-runs";
import { SMOKE_MAX_REPEAT } from "@/server/core/smoke/smoke-limits";
import { log } from "@/server/process/log";

export const smokeRouter = createTRPCRouter({
  /** Refused with CONFLICT while a run on the same model is in progress. */
  start: adminProcedure
    .input(
      z.object({
        model: z.string().min(1, "a model is required"),
        repeat: z
          .number()
          .int(`repeat: a whole number from 1 to ${SMOKE_MAX_REPEAT}`)
          .min(1, `repeat: a whole number from 1 to ${SMOKE_MAX_REPEAT}`)
          .max(
            SMOKE_MAX_REPEAT,
            `repeat: at most ${SMOKE_MAX_REPEAT} (the suite ${SMOKE_MAX_REPEAT} times is the evidence a tier move needs)`,
          )
          .default(1),
        taskTimeoutSeconds: z.number().int().min(1).max(600).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { runId, done } = await startSmokeRun(ctx.db, {
        model: input.model,
        repeat: input.repeat,
        taskTimeoutMs: input.taskTimeoutSeconds ? input.taskTimeoutSeconds * 1000 : undefined,
      });
      done.catch((err: Error) => log.error({ err, runId }, "the smoke run failed"));
      return { runId };
    }),
  run: adminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .query(({ ctx, input }) => readSmokeRun(ctx.db, input.id)),
  runs: adminProcedure.query(({ ctx }) => listSmokeRuns(ctx.db)),
  options: adminProcedure.query(({ ctx }) => readSmokeOptions(ctx.db)),
  compare: adminProcedure
    .input(
      z.object({ ids: z.array(z.string().min(1)).min(1, "pick at least one run").max(4, "compare at most 4 runs") }),
    )
    .query(({ ctx, input }) => compareSmokeRuns(ctx.db, input.ids)),
  cancel: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    if (cancelSmokeRun(input.id)) return { cancelled: true };
    await markInterruptedSmokeRuns(ctx.db); // a run whose process is gone ends here rather than "in another process"
    const run = await readSmokeRun(ctx.db, input.id);
    if (isLiveRun(run.status)) {
      throw new OffloadError(
        "CONFLICT",
        `smoke run ${input.id} is running in another Offload process (a CLI run or another server on this database); cancel it there`,
        "id",
      );
    }
    throw new OffloadError("CONFLICT", `smoke run ${input.id} is not running (${run.status})`, "id");
  }),
});
