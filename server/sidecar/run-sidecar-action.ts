// One sidecar action from a task's payload, with zero model calls: checked against the contract
// (core/tasks/sidecar-actions.ts) first, then handed to the file, git or HTTP runner. The outcome
// is the task's completion-to-be: the SidecarResult, or the error that says why it was refused
// (nothing done), invalid, or failed (with git's output when there is some).
import { describeZodError } from "@/server/core/errors";
import { sidecarActionSchema, type SidecarAction, type SidecarResult } from "@/server/core/tasks/sidecar-actions";
import { ActionError } from "./action-error";
import type { AllowedHost } from "./allow-hosts";
import { runFileAction, type FileAction } from "./run-file-action";
import { runGitAction, type GitAction } from "./run-git-action";
import { runHttpAction, type HttpAction } from "./run-http-action";

export type ActionContext = {
  /** The work dir, as a real path (fs.realpath). */
  workdir: string;
  allowHosts: readonly AllowedHost[];
};

export type ActionOutcome =
  | { ok: true; action: SidecarAction; result: SidecarResult }
  | { ok: false; action: SidecarAction | null; error: string; result?: SidecarResult };

/** Validates `payload` as a sidecar action and runs it; never throws for what a task can get wrong. */
export async function runSidecarAction(payload: unknown, context: ActionContext): Promise<ActionOutcome> {
  const parsed = sidecarActionSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, action: null, error: `invalid sidecar action: ${describeZodError(parsed.error)}` };
  const action = parsed.data;
  try {
    const result = action.action.startsWith("file.")
      ? await runFileAction(action as FileAction, context.workdir)
      : action.action.startsWith("git.")
        ? await runGitAction(action as GitAction, context.workdir)
        : await runHttpAction(action as HttpAction, context.allowHosts);
    return { ok: true, action, result };
  } catch (err) {
    if (err instanceof ActionError)
      return {
        ok: false,
        action,
        error: err.kind === "refused" ? `refused: ${err.message}` : err.message,
        ...(err.result ? { result: err.result } : {}),
      };
    return { ok: false, action, error: `${action.action}: ${(err as Error).message ?? String(err)}` };
  }
}
