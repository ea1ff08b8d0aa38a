"use client";
// A task's Re-queue and Cancel buttons (only those its status allows). Each is one tasks.* mutation;
// the queue is read again after it, and a refusal (another claimer won, it ended meanwhile) shows beside
// the buttons.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { taskActions } from "./task-format";
import type { Task } from "./tasks-inputs";

const buttonClass =
  "rounded border px-2 py-0.5 text-xs font-medium disabled:opacity-50 whitespace-nowrap focus-visible:outline-2 focus-visible:outline-blue-500";

export function TaskActions({ task }: { task: Pick<Task, "id" | "title" | "status"> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.tasks.overview.pathKey() });
  const requeue = useMutation(trpc.tasks.requeue.mutationOptions({ onSettled: refresh }));
  const cancel = useMutation(trpc.tasks.cancel.mutationOptions({ onSettled: refresh }));
  const allowed = taskActions(task.status);
  const busy = requeue.isPending || cancel.isPending;
  const error = requeue.error ?? cancel.error;
  if (!allowed.requeue && !allowed.cancel) return null;
  return (
    <div className="flex flex-wrap items-center justify-end gap-1">
      {allowed.requeue ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            cancel.reset();
            requeue.mutate({ id: task.id });
          }}
          aria-label={`Re-queue “${task.title}”`}
          className={`${buttonClass} border-blue-300 text-blue-800 hover:bg-blue-50 dark:border-blue-800 dark:text-blue-200 dark:hover:bg-blue-950`}
        >
          Re-queue
        </button>
      ) : null}
      {allowed.cancel ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            requeue.reset();
            cancel.mutate({ id: task.id });
          }}
          aria-label={`Cancel “${task.title}”`}
          className={`${buttonClass} border-zinc-300 text-zinc-700 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800`}
        >
          Cancel
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="w-full max-w-xs text-right text-xs text-red-700 dark:text-red-300">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
