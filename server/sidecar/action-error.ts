// The one error a sidecar action ends with when it does not succeed: refused for safety (a path out
// of the work dir, a host not allowed; nothing was done) or failed while running (git's exit code,
// a connection error). The message is what the task's `error` says; `result` keeps what there is
// to show (git's output) so that a failed task still carries it.
import type { SidecarResult } from "@/server/core/tasks/sidecar-actions";

export class ActionError extends Error {
  override name = "ActionError";
  constructor(
    readonly kind: "refused" | "failed",
    message: string,
    readonly result?: SidecarResult,
  ) {
    super(message);
  }
}
