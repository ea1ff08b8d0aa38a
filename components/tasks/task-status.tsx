// A task's status as a coloured chip; a claim whose lease ran out says so (the next claim takes the task).
import type { TaskStatus } from "./tasks-inputs";

const STATUS_CLASS: Record<TaskStatus, string> = {
  queued: "bg-blue-50 text-blue-800 ring-blue-200 dark:bg-blue-950 dark:text-blue-200 dark:ring-blue-900",
  claimed: "bg-violet-50 text-violet-800 ring-violet-200 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-900",
  done: "bg-green-50 text-green-800 ring-green-200 dark:bg-green-950 dark:text-green-200 dark:ring-green-900",
  failed: "bg-red-50 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-900",
  cancelled: "bg-zinc-100 text-zinc-600 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700",
};

export function TaskStatusChip({ status, expired = false }: { status: TaskStatus; expired?: boolean }) {
  return (
    <span
      data-task-status={status}
      title={expired ? "The claim's lease ran out: the next claim takes this task again" : undefined}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${STATUS_CLASS[status]}`}
    >
      {status}
      {expired ? " · lease expired" : ""}
    </span>
  );
}
