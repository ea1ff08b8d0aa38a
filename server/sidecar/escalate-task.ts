// A task the sidecar cannot run as a script goes to the gateway as the agent would send it: the
// agent's key and Claude model, one user message (title, description, and the payload as JSON),
// and the task type header when the task has one, so the gateway routes it by its policy. The
// answer's text and the x-offload-* headers (lane, model, turn) become the task's result.
import type { ClaimedTask, Completion, Connection } from "./queue-client";
import { readErrorMessage } from "./read-error-message";

export const ESCALATION_MAX_TOKENS = 1024;
/** A Claude answer of 1,024 tokens takes well under this; a local model on a busy host may not. */
export const GATEWAY_TIMEOUT_MS = 300_000;

export type EscalationResult = { text: string; lane: string | null; model: string | null; turnId: string | null };
export type EscalationCompletion = Omit<Completion, "result"> & { result?: EscalationResult };

/** The one user message a task becomes: title, description (when there is one), payload as JSON (when there is one). */
function taskPrompt(task: Pick<ClaimedTask, "title" | "description" | "payload">): string {
  let text = task.description ? `${task.title}\n\n${task.description}` : task.title;
  if (task.payload !== undefined && task.payload !== null)
    text += `\n\nPayload:\n${JSON.stringify(task.payload, null, 2)}`;
  return text;
}

/** Asks the gateway for the task; the completion to send (`done` with the answer, or `failed`), escalated either way. */
export async function escalateTask(
  conn: Connection,
  task: ClaimedTask,
  options: { timeoutMs?: number } = {},
): Promise<EscalationCompletion> {
  const failed = (error: string, turns: number): EscalationCompletion => ({
    status: "failed",
    error: `gateway: ${error}`,
    turns,
    executedBy: "sidecar",
    escalated: true,
  });
  let res: Response;
  try {
    res = await fetch(`${conn.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": conn.key,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        ...(task.taskType ? { "x-offload-task-type": task.taskType } : {}),
      },
      body: JSON.stringify({
        model: task.agentModel,
        max_tokens: ESCALATION_MAX_TOKENS,
        messages: [{ role: "user", content: taskPrompt(task) }],
      }),
      signal: AbortSignal.timeout(options.timeoutMs ?? GATEWAY_TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    // Never reached: no turn was made.
    return failed(
      e.name === "TimeoutError"
        ? `no answer within ${(options.timeoutMs ?? GATEWAY_TIMEOUT_MS) / 1000} s`
        : `cannot reach ${conn.url}/v1/messages (${e.cause?.message ?? e.message})`,
      0,
    );
  }
  if (!res.ok) return failed(`${res.status} ${await readErrorMessage(res)}`, 1);
  let body: { content?: unknown; model?: unknown };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return failed("the answer is not JSON", 1);
  }
  if (!Array.isArray(body.content)) return failed("the answer has no content blocks", 1);
  const text = body.content
    .filter((b): b is { type: "text"; text: string } => b?.type === "text" && typeof b.text === "string")
    .map((b) => b.text)
    .join("");
  const result: EscalationResult = {
    text,
    lane: res.headers.get("x-offload-lane"),
    model: res.headers.get("x-offload-model") ?? (typeof body.model === "string" ? body.model : null),
    turnId: res.headers.get("x-offload-turn-id"),
  };
  return { status: "done", result, turns: 1, executedBy: "sidecar", escalated: true };
}
