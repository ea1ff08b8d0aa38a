// One claimed task, start to finish except the completion's sending: a sidecar-lane task whose
// payload names an action runs here with zero model calls (run-sidecar-action.ts); anything else
// (another lane, or no action) is escalated to the gateway (escalate-task.ts). The outcome is the
// completion to send and the one line the log gets for the task.
import { namesSidecarAction, type SidecarAction, type SidecarResult } from "@/server/core/tasks/sidecar-actions";
import { escalateTask } from "./escalate-task";
import type { ClaimedTask, Completion, Connection, UnreadableTask } from "./queue-client";
import { runSidecarAction, type ActionContext } from "./run-sidecar-action";

/** What a completion's error keeps (git's complaint, a long zod message). */
const ERROR_MAX_CHARS = 8_000;
const LINE_MAX_CHARS = 400;

/** Text as one log line: whitespace folded, cut. */
function oneLine(text: string): string {
  const folded = text.replace(/\s+/g, " ").trim();
  return folded.length > LINE_MAX_CHARS ? `${folded.slice(0, LINE_MAX_CHARS - 3)}...` : folded;
}

const capError = (error: string) => (error.length > ERROR_MAX_CHARS ? `${error.slice(0, ERROR_MAX_CHARS)}...` : error);

/** What a done line names after the action: the path, the branch, the URL and its status. */
function subjectOf(action: SidecarAction, result: SidecarResult): string {
  switch (action.action) {
    case "file.rename":
      return `${action.from} -> ${action.to}`;
    case "file.write":
    case "file.append":
    case "file.read":
    case "file.list":
    case "file.delete":
      return "path" in result ? result.path : action.path;
    case "git.checkout_new_branch":
      return action.name;
    case "git.add":
      return action.paths.join(" ");
    case "http.get":
    case "http.post_json":
      return "status" in result ? `${action.url} ${result.status}` : action.url;
    default:
      return "";
  }
}

/** Runs or escalates one task; never throws for what the task or the gateway can get wrong. */
export async function processTask(
  task: ClaimedTask | UnreadableTask,
  conn: Connection,
  context: ActionContext,
): Promise<{ completion: Completion; line: string }> {
  if ("unreadable" in task)
    return {
      completion: { status: "failed", error: task.unreadable, turns: 0, executedBy: "sidecar", escalated: false },
      line: `failed ${task.id}: ${oneLine(task.unreadable)}`,
    };

  if (task.lane === "sidecar" && namesSidecarAction(task.payload)) {
    const outcome = await runSidecarAction(task.payload, context);
    if (outcome.ok)
      return {
        completion: { status: "done", result: outcome.result, turns: 0, executedBy: "sidecar", escalated: false },
        line: oneLine(`done ${task.id} ${outcome.action.action} ${subjectOf(outcome.action, outcome.result)}`),
      };
    return {
      completion: {
        status: "failed",
        error: capError(outcome.error),
        ...(outcome.result ? { result: outcome.result } : {}),
        turns: 0,
        executedBy: "sidecar",
        escalated: false,
      },
      line: `failed ${task.id}: ${oneLine(outcome.error)}`,
    };
  }

  const completion = await escalateTask(conn, task);
  if (completion.status === "failed")
    return {
      completion: { ...completion, error: capError(completion.error ?? "gateway error") },
      line: `failed ${task.id}: ${oneLine(completion.error ?? "gateway error")}`,
    };
  return { completion, line: `escalated ${task.id} via ${completion.result?.lane ?? "the gateway"}` };
}
