"use client";
// The Tasks page: the queue by lane and status, throughput over the last 24 hours, what the sidecar
// ran with no model, the latest failures, a form to queue a task, and the tasks themselves. Read again
// every few seconds, so a running sidecar's progress shows. The filters live in the URL, so a filtered
// view can be linked and reloaded.
import { useCallback, useMemo, useState } from "react";
import { keepPreviousData, useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, LoadingBlock, Stat } from "@/components/ui";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import { countGrid } from "./count-grid";
import { Failures } from "./failures";
import { QueueCounts } from "./queue-counts";
import { QueueTaskForm } from "./queue-task-form";
import { formatSeconds } from "./task-format";
import { TaskList } from "./task-list";
import { ThroughputChart } from "./throughput-chart";
import { throughputSeries } from "./throughput-series";
import { REFRESH_MS, overviewInput, tasksHref, type TasksFilters } from "./tasks-inputs";

const usd = (dollars: number) => formatMicroUsd(BigInt(Math.round(dollars * 1_000_000)));

export function TasksView({ initial }: { initial: TasksFilters }) {
  const trpc = useTRPC();
  const { data: taskTypes } = useSuspenseQuery(trpc.taskTypes.list.queryOptions());
  const { data: agents } = useSuspenseQuery(trpc.agents.list.queryOptions());
  const [filters, setFilters] = useState<TasksFilters>(initial);
  const overview = useQuery({
    ...trpc.tasks.overview.queryOptions(overviewInput(filters)),
    placeholderData: keepPreviousData,
    staleTime: 1_000,
    refetchInterval: REFRESH_MS,
  });

  const agentNames = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
  const typeNames = useMemo(() => new Map(taskTypes.map((t) => [t.id, t.name])), [taskTypes]);
  const agentName = useCallback((id: string) => agentNames.get(id) ?? id, [agentNames]);
  const taskTypeName = useCallback((id: string) => typeNames.get(id) ?? id, [typeNames]);
  const typeOptions = useMemo(() => taskTypes.map((t) => ({ id: t.id, name: t.name, lane: t.lane })), [taskTypes]);

  const update = (next: Partial<TasksFilters>) => {
    const merged = { ...filters, ...next };
    setFilters(merged);
    window.history.replaceState(null, "", tasksHref(merged));
  };

  // Ages and the chart's hours are counted from when the data was read: the same on the server's
  // render and the browser's first one, and moving on with every refresh.
  const readAt = overview.dataUpdatedAt;
  const now = useMemo(() => new Date(readAt), [readAt]);
  const data = overview.data;
  const grid = useMemo(() => (data ? countGrid(data.counts) : null), [data]);
  const points = useMemo(() => (data ? throughputSeries(data.throughput, now) : []), [data, now]);

  if (overview.isPending) return <LoadingBlock label="the tasks" />;
  if (!data || !grid) {
    return (
      <div
        role="alert"
        className="rounded border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
      >
        Could not load the tasks: {overview.error?.message ?? "no data"}
      </div>
    );
  }

  return (
    <div className="space-y-6">
      {overview.isError ? (
        <p role="alert" className="text-sm text-amber-700 dark:text-amber-300">
          Could not refresh the tasks ({overview.error.message}); showing what was read before.
        </p>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="task-stats">
        <Stat
          label="Queued"
          value={formatCount(grid.byStatus.queued)}
          hint={`waiting for a claim · ${formatCount(grid.byStatus.claimed)} claimed now`}
        />
        <Stat label="Median wait" value={formatSeconds(data.waitSeconds)} hint="queued to claimed, last 24 h" />
        <Stat label="Median run" value={formatSeconds(data.runSeconds)} hint="claimed to ended, last 24 h" />
        <Stat
          label="Sidecar, zero tokens"
          value={
            <span data-testid="sidecar-tasks">
              {data.sidecar.tasks === 1 ? "1 task" : `${formatCount(data.sidecar.tasks)} tasks`}
            </span>
          }
          hint={
            <span data-testid="sidecar-avoided">{usd(data.sidecar.avoidedUsd)} of Claude avoided · last 7 days</span>
          }
        />
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="font-semibold">Queue</h2>
          <p className="mb-3 text-xs text-zinc-500">
            Every task by the lane it was routed to and where it is now. An expired claim counts as queued. Click a
            count to list those tasks.
          </p>
          <QueueCounts
            grid={grid}
            onFilter={({ lane, status }) => {
              update({ lane, status });
              document.getElementById("task-list")?.scrollIntoView({ behavior: "smooth", block: "start" });
            }}
          />
        </Card>
        <Card>
          <h2 className="font-semibold">Throughput</h2>
          <ThroughputChart points={points} />
        </Card>
      </div>

      <div className="grid items-start gap-6 lg:grid-cols-5">
        <Card className="lg:col-span-3">
          <h2 className="font-semibold">Failures</h2>
          <p className="mb-2 text-xs text-zinc-500">The latest failed tasks, with the error each ended on.</p>
          <Failures failures={data.failures} now={now} agentName={agentName} />
        </Card>
        <Card className="lg:col-span-2">
          <h2 className="font-semibold">Queue a task</h2>
          <p className="mb-3 text-xs text-zinc-500">Routed as POST /api/v1/tasks routes it; the next claim takes it.</p>
          <QueueTaskForm taskTypes={typeOptions} agents={agents} />
        </Card>
      </div>

      <section id="task-list" className="scroll-mt-4">
        <Card className="overflow-hidden">
          <TaskList
            tasks={data.tasks}
            filters={filters}
            onFilters={update}
            agents={agents}
            now={now}
            agentName={agentName}
            taskTypeName={taskTypeName}
            stale={overview.isPlaceholderData}
          />
        </Card>
      </section>
    </div>
  );
}
