// The periodic sweep that ends smoke runs whose process stopped (markInterruptedSmokeRuns), so that
// reading runs never has to write. The server starts it once, beside the health monitor; boot runs
// the same sweep once before the server answers.
import type { Db } from "@/server/db/client";
import { markInterruptedSmokeRuns } from "./run-smoke";
import { log } from "@/server/process/log";

/** A minute: a page polling a run whose process died sees it end soon after the grace period. */
export const SMOKE_SWEEP_EVERY_MS = 60_000;

/** Sweeps every `everyMs` (never two at once); returns a stop function. */
export function startSmokeRunSweep(getDb: () => Promise<Db>, everyMs = SMOKE_SWEEP_EVERY_MS): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const marked = await markInterruptedSmokeRuns(await getDb());
      if (marked) log.info({ runs: marked }, "marked smoke run(s) interrupted: their process stopped");
    } catch (err) {
      log.error({ err }, "the smoke run sweep failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
