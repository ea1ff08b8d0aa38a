"use client";
// The Smoke page: start runs, watch them, pick runs to compare (by default the newest local and
// the newest Claude run) and act on what they show.
import { Suspense, useCallback, useDeferredValue, useMemo, useState } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Card, EmptyState, LoadingBlock } from "@/components/ui";
import { formatMicroUsd } from "@/server/core/money";
import { defaultSmokeSelection, isLiveRun as isLive } from "@/server/core/smoke/compare-runs";
import { StartRuns } from "./start-runs";
import { RunProgress } from "./run-progress";
import { RunComparison } from "./run-comparison";

export function SmokeView() {
  const trpc = useTRPC();
  // Refreshed now and then, so that runs started elsewhere (the CLI, another operator) show up.
  const { data: runs } = useSuspenseQuery({ ...trpc.smoke.runs.queryOptions(), refetchInterval: 10_000 });
  const { data: options } = useSuspenseQuery(trpc.smoke.options.queryOptions());
  const taskTitles = useMemo(() => new Map(options.tasks.map((t) => [t.id, t.title])), [options.tasks]);
  const [active, setActive] = useState<string[]>(() => runs.filter((r) => isLive(r.status)).map((r) => r.id));
  const [selected, setSelected] = useState<string[]>(() => defaultSmokeSelection(runs));
  // Runs that went live since the last poll join the watched ones (adjusting state while rendering,
  // as React recommends, rather than in an effect that would render twice).
  const [seenRuns, setSeenRuns] = useState(runs);
  if (seenRuns !== runs) {
    setSeenRuns(runs);
    const live = runs.filter((r) => isLive(r.status)).map((r) => r.id);
    if (!live.every((id) => active.includes(id))) setActive([...active, ...live.filter((id) => !active.includes(id))]);
  }

  const onStarted = useCallback(
    (ids: string[]) => setActive((a) => [...ids, ...a.filter((id) => !ids.includes(id))]),
    [],
  );
  const onFinished = useCallback(
    (id: string) =>
      setSelected((s) => {
        const model = runs.find((r) => r.id === id)?.model;
        return [id, ...s.filter((x) => x !== id && (!model || runs.find((r) => r.id === x)?.model !== model))].slice(
          0,
          4,
        );
      }),
    [runs],
  );
  const onDismiss = useCallback((id: string) => setActive((a) => a.filter((x) => x !== id)), []);
  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-4)));
  const shown = selected.filter((id) => runs.some((r) => r.id === id));
  // Ticking a run keeps the current comparison on screen until the new one is ready.
  const deferred = useDeferredValue(shown);

  return (
    <div className="space-y-6">
      <StartRuns onStarted={onStarted} />

      {active.length ? (
        <section aria-label="Runs in progress" className="space-y-3">
          {active.map((id) => (
            <RunProgress key={id} runId={id} taskTitles={taskTitles} onFinished={onFinished} onDismiss={onDismiss} />
          ))}
        </section>
      ) : null}

      {runs.length === 0 ? (
        <EmptyState title="No smoke runs yet">
          Tick the local model and a Claude model above and start: each answers the same {options.tasks.length} trivial
          agent tasks, each answer is graded by a deterministic check, and the runs are compared here side by side. The
          CLI does the same: <code>offload smoke --model ollama/qwen3:8b --repeat 5</code>.
        </EmptyState>
      ) : (
        <>
          <Card className="p-0">
            <div className="overflow-x-auto">
              <table className="w-full text-sm" aria-label="Smoke runs">
                <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
                  <tr>
                    <th className="px-3 py-2">Compare</th>
                    <th className="px-3 py-2">Model</th>
                    <th className="px-3 py-2">Started</th>
                    <th className="px-3 py-2">Status</th>
                    <th className="px-3 py-2 text-right">Passed</th>
                    <th className="hidden px-3 py-2 text-right sm:table-cell">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r) => (
                    <tr
                      key={r.id}
                      className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                      data-run-row={r.id}
                    >
                      <td className="px-3 py-1.5">
                        <input
                          type="checkbox"
                          aria-label={`compare ${r.model} run of ${new Date(r.startedAt).toLocaleString()}`}
                          checked={selected.includes(r.id)}
                          disabled={isLive(r.status) || r._count.results === 0}
                          onChange={() => toggle(r.id)}
                        />
                      </td>
                      <td className="px-3 py-1.5 font-mono">
                        {r.model}
                        {r.repeat > 1 ? (
                          <span className="ml-1 font-sans text-xs text-zinc-500">×{r.repeat}</span>
                        ) : null}
                      </td>
                      <td className="px-3 py-1.5 text-zinc-600 dark:text-zinc-400">
                        <Ago at={r.startedAt} />
                      </td>
                      <td className="px-3 py-1.5">
                        {r.status}
                        {r.error ? <div className="text-xs text-red-700 dark:text-red-300">{r.error}</div> : null}
                      </td>
                      <td className="px-3 py-1.5 text-right tabular-nums">
                        {r.passed}/{r.total}
                      </td>
                      <td className="hidden px-3 py-1.5 text-right tabular-nums sm:table-cell">
                        {formatMicroUsd(r.costMicroUsd)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
          {deferred.length ? (
            <Suspense fallback={<LoadingBlock label="the comparison" />}>
              <RunComparison key={deferred.join()} ids={deferred} />
            </Suspense>
          ) : (
            <p className="text-sm text-zinc-500">Tick finished runs above (up to four) to compare them.</p>
          )}
        </>
      )}
    </div>
  );
}
