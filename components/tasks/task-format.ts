// How the Tasks page writes a task's facts: durations, JSON, which actions a task allows, the payload
// the operator typed, and which field of the queue form a server error names.
import type { Task, TaskStatus } from "./tasks-inputs";

/** A median duration: "0.04 s", "3.2 s", "12 s", "4.5 min", "1.2 h"; null (no tasks ended): "–". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, seconds);
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3_600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3_600).toFixed(1)} h`;
}

/** A task's age from its creation: "just now", "45 s", "12 min", "3 h", "2 d". */
export function formatAge(createdAt: string, now: Date): string {
  const seconds = Math.floor((now.getTime() - Date.parse(createdAt)) / 1_000);
  if (!Number.isFinite(seconds) || seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** How long ago something happened: "just now", "12 min ago". */
export function formatSince(at: string, now: Date): string {
  const age = formatAge(at, now);
  return age === "just now" ? age : `${age} ago`;
}

/** A JSON value pretty-printed for a <pre>; null and absent values say so. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "none";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A claim whose lease ran out: the next claim takes the task again (the counts show it as queued). */
export function claimExpired(task: Pick<Task, "status" | "claimExpiresAt">, now: Date): boolean {
  return task.status === "claimed" && !!task.claimExpiresAt && Date.parse(task.claimExpiresAt) < now.getTime();
}

const REQUEUE_FROM: readonly TaskStatus[] = ["failed", "cancelled", "claimed"];
const CANCEL_FROM: readonly TaskStatus[] = ["queued", "claimed"];

/** What the operator may do with a task (as the server allows: tasks.requeue and tasks.cancel). */
export function taskActions(status: TaskStatus): { requeue: boolean; cancel: boolean } {
  return { requeue: REQUEUE_FROM.includes(status), cancel: CANCEL_FROM.includes(status) };
}

export type PayloadText = { ok: true; payload: unknown } | { ok: false; message: string };

/** The payload box's text as JSON: empty is no payload (undefined); anything else must parse. */
export function parsePayload(text: string): PayloadText {
  if (!text.trim()) return { ok: true, payload: undefined };
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export type FormField = "title" | "description" | "taskType" | "agent" | "payload";

/** The queue form's field a server error names ("payload.path" is the payload's), or null for the form as a whole. */
export function formFieldOf(field: string | null | undefined): FormField | null {
  const head = (field ?? "").split(".")[0];
  return head === "title" || head === "description" || head === "taskType" || head === "agent" || head === "payload"
    ? head
    : null;
}
