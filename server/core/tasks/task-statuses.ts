// A queued task's states, in the order a task goes through them (the Task table's TaskStatus enum).
export const TASK_STATUSES = ["queued", "claimed", "done", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
