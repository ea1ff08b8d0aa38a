// The sidecar's loop: claim the agent's next task, run or escalate it (process-task.ts), complete
// it, log one line; again. With `once` it stops when the queue answers that there is nothing (the
// tests use it); otherwise it waits `pollSeconds` and asks again, until `signal` is aborted, which
// lets the current task finish first. A queue that cannot be reached, or answers 5xx, is asked
// again later with a growing wait; a refusal that will not change (a bad key, 4xx) ends the loop.
import type { ActionContext } from "./run-sidecar-action";
import { processTask } from "./process-task";
import { QueueError, claimNextTask, completeTask, type Completion, type Connection } from "./queue-client";

export type SidecarOptions = {
  conn: Connection;
  context: ActionContext;
  /** Stop at the first "nothing to do" (204), or at the first error, instead of polling. */
  once: boolean;
  pollSeconds: number;
  /** Aborted by SIGINT/SIGTERM: the current task is finished, then the loop returns 0. */
  signal?: AbortSignal;
  /** One line per task (stdout). */
  log?: (line: string) => void;
  /** Problems the loop goes on after, or stops on (stderr). */
  warn?: (line: string) => void;
  /** The wait before sending a failed completion again (tests shorten it). */
  retryDelayMs?: number;
};

/** The longest wait between two claims after errors, seconds. */
const MAX_BACKOFF_S = 60;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Completes a task. A result the queue will not store (413: too large; 400: too deep, too many
 * items) still ends the task, as failed without its result, so that it is not claimed and run again.
 */
async function sendCompletion(
  conn: Connection,
  id: string,
  completion: Completion,
  warn: (line: string) => void,
  retryDelayMs: number | undefined,
): ReturnType<typeof completeTask> {
  try {
    return await completeTask(conn, id, completion, { retryDelayMs });
  } catch (err) {
    if (!(err instanceof QueueError) || (err.status !== 413 && err.status !== 400) || completion.result === undefined)
      throw err;
    warn(`offload sidecar: ${err.message}; completing ${id} as failed, without its result`);
    const { result: _dropped, ...rest } = completion;
    return completeTask(
      conn,
      id,
      { ...rest, status: "failed", error: `the result could not be stored: ${err.message}` },
      { retryDelayMs },
    );
  }
}

/** Runs the loop; resolves to the exit code: 0 when stopped or (with `once`) the queue is empty, 1 on a fatal error. */
export async function runSidecar(options: SidecarOptions): Promise<number> {
  const { conn, context, once, signal } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(line));
  let failures = 0;

  while (!signal?.aborted) {
    let task: Awaited<ReturnType<typeof claimNextTask>>;
    try {
      task = await claimNextTask(conn);
      failures = 0;
    } catch (err) {
      if (!(err instanceof QueueError)) throw err;
      if (once || !err.transient) {
        warn(`offload sidecar: ${err.message}`);
        return 1;
      }
      failures++;
      const wait = Math.min(options.pollSeconds * 2 ** (failures - 1), MAX_BACKOFF_S);
      warn(`offload sidecar: ${err.message}; asking again in ${wait} s`);
      await sleep(wait * 1000, signal);
      continue;
    }
    if (!task) {
      if (once) return 0;
      await sleep(options.pollSeconds * 1000, signal);
      continue;
    }

    const { completion, line } = await processTask(task, conn, context);
    log(line);
    try {
      const sent = await sendCompletion(conn, task.id, completion, warn, options.retryDelayMs);
      if (sent.outcome === "claim-lost")
        warn(`offload sidecar: claim lost on ${task.id} (${sent.message}); its completion was not recorded`);
    } catch (err) {
      if (!(err instanceof QueueError)) throw err;
      warn(`offload sidecar: ${err.message}; the task's outcome was not recorded`);
      if (once || err.status === 401 || err.status === 403) return 1;
    }
  }
  return 0;
}
