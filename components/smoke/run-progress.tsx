"use client";
// One smoke run as it goes: a progress bar task by task (polled every second while it runs), the
// verdicts so far, and a cancel button.
import { useEffect, useRef } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { formatMicroUsd } from "@/server/core/money";
import { isLiveRun } from "@/server/core/smoke/compare-runs";

const STATUS_TEXT: Record<string, string> = {
  queued: "queued",
  running: "running",
  passed: "passed",
  failed: "finished with failures",
  cancelled: "cancelled",
  error: "stopped by an error",
};

export function RunProgress({
  runId,
  taskTitles,
  onFinished,
  onDismiss,
}: {
  runId: string;
  taskTitles: Map<string, string>;
  onFinished: (runId: string) => void;
  onDismiss: (runId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: run, error } = useQuery({
    ...trpc.smoke.run.queryOptions({ id: runId }),
    refetchInterval: (q) => (!q.state.data || isLiveRun(q.state.data.status) ? 1000 : false),
  });
  const cancel = useMutation(trpc.smoke.cancel.mutationOptions());
  const finishedOnce = useRef(false);
  const finished = !!run && !isLiveRun(run.status);
  useEffect(() => {
    if (finished && !finishedOnce.current) {
      finishedOnce.current = true;
      void queryClient.invalidateQueries({ queryKey: trpc.smoke.runs.queryKey() });
      onFinished(runId);
    }
  }, [finished, onFinished, queryClient, runId, trpc.smoke.runs]);

  if (error)
    return (
      <Card>
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          Smoke run {runId}: {error.message}
        </p>
      </Card>
    );
  if (!run)
    return (
      <Card>
        <p className="text-sm text-zinc-500">Starting the run…</p>
      </Card>
    );

  const done = run.results.length;
  const share = run.total > 0 ? done / run.total : 0;
  const last = run.results.at(-1);
  return (
    <Card>
      <div data-smoke-run={run.id} data-status={run.status} className="space-y-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm">
            <span className="font-mono font-medium">{run.model}</span> · {STATUS_TEXT[run.status] ?? run.status}
            {run.repeat > 1 ? ` · suite ×${run.repeat}` : ""}
          </p>
          {finished ? (
            <button
              type="button"
              onClick={() => onDismiss(run.id)}
              className="rounded border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700"
            >
              Dismiss
            </button>
          ) : (
            <button
              type="button"
              onClick={() => cancel.mutate({ id: run.id })}
              disabled={cancel.isPending}
              className="rounded border border-red-400 px-3 py-1 text-sm text-red-700 disabled:opacity-50 dark:text-red-300"
            >
              {cancel.isPending ? "Cancelling…" : "Cancel"}
            </button>
          )}
        </div>
        <div
          role="progressbar"
          aria-label={`${run.model} progress`}
          aria-valuemin={0}
          aria-valuemax={run.total}
          aria-valuenow={done}
          aria-valuetext={`${done} of ${run.total} tasks, ${run.passed} passed`}
          className="flex h-3 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className="bg-green-600 transition-all"
            style={{ width: `${(run.passed / Math.max(1, run.total)) * 100}%` }}
          />
          <div
            className="bg-red-500 transition-all"
            style={{ width: `${((done - run.passed) / Math.max(1, run.total)) * 100}%` }}
          />
        </div>
        <p className="text-xs tabular-nums text-zinc-600 dark:text-zinc-400" data-testid="smoke-progress-text">
          {done} of {run.total} tasks · {run.passed} passed · {done - run.passed} failed · {Math.round(share * 100)}% ·
          cost so far {formatMicroUsd(run.costMicroUsd)}
          {last && !finished
            ? ` · last: ${taskTitles.get(last.task) ?? last.task} ${last.passed ? "passed" : "failed"}`
            : ""}
        </p>
        {run.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {run.error}
          </p>
        ) : null}
        {cancel.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            Could not cancel: {cancel.error.message}
          </p>
        ) : null}
        <details className="text-sm" open={!finished}>
          <summary className="cursor-pointer text-xs text-zinc-500">Answers ({done})</summary>
          <ul className="mt-1 max-h-64 overflow-y-auto">
            {run.results.map((r) => (
              <li
                key={r.id}
                className="flex gap-2 border-b border-zinc-100 py-1 text-xs last:border-0 dark:border-zinc-800"
              >
                <span aria-label={r.passed ? "passed" : "failed"}>{r.passed ? "✅" : "❌"}</span>
                <span className="w-40 shrink-0 truncate font-medium">
                  {taskTitles.get(r.task) ?? r.task}
                  {run.repeat > 1 ? ` #${r.iteration + 1}` : ""}
                </span>
                <span className="min-w-0 flex-1 text-zinc-600 dark:text-zinc-400">{r.reason}</span>
                <span className="shrink-0 tabular-nums text-zinc-500">{r.latencyMs.toLocaleString("en-US")} ms</span>
              </li>
            ))}
          </ul>
        </details>
      </div>
    </Card>
  );
}
