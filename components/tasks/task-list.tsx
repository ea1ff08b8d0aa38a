"use client";
// The tasks, newest first, filtered by status, lane and agent. Each row: what the task is, where it
// was routed (lane, model, task type), whose it is and who claimed it, where it is now, and the
// operator's Re-queue and Cancel. Clicking a row opens its payload and result as JSON, and why it
// was routed where it was.
import { Fragment, useState } from "react";
import { Badge } from "@/components/ui";
import { LANES, LANE_LABEL, type Lane } from "@/server/core/lanes";
import { TaskActions } from "./task-actions";
import { claimExpired, formatAge, prettyJson } from "./task-format";
import { TaskStatusChip } from "./task-status";
import { TASK_STATUSES, TASKS_LIMIT, type Task, type TasksFilters, type TaskStatus } from "./tasks-inputs";

const selectClass = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const COLUMNS = 9;

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="min-w-0">
      <div className="text-xs font-medium uppercase tracking-wide text-zinc-500">{label}</div>
      <pre
        aria-label={label}
        className="mt-1 max-h-72 overflow-auto rounded border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs leading-relaxed whitespace-pre-wrap break-words dark:border-zinc-800 dark:bg-zinc-950"
      >
        {prettyJson(value)}
      </pre>
    </div>
  );
}

function TaskDetails({ task, agentName }: { task: Task; agentName: (id: string) => string }) {
  const facts: [string, string][] = [
    ["Task id", task.id],
    ["Routed", `Tier ${task.tier} · ${LANE_LABEL[task.lane]}: ${task.reason}`],
    ...(task.confidence === null ? [] : ([["Confidence", task.confidence.toFixed(2)]] as [string, string][])),
    ["Priority", String(task.priority)],
    ["Queued at", `${task.createdAt.slice(0, 19).replace("T", " ")} UTC`],
    ...(task.completedAt
      ? ([["Ended at", `${task.completedAt.slice(0, 19).replace("T", " ")} UTC`]] as [string, string][])
      : []),
    ...(task.claimedBy
      ? ([
          [
            "Claim",
            `${agentName(task.claimedBy)}${task.claimExpiresAt && task.status === "claimed" ? `, lease until ${task.claimExpiresAt.slice(11, 19)} UTC` : ""}`,
          ],
        ] as [string, string][])
      : []),
    ...(task.executedBy
      ? ([
          [
            "Ran by",
            `${task.executedBy}${task.escalated ? " (escalated to the agent's model)" : ""} · ${task.turnsUsed === 1 ? "1 model turn" : `${task.turnsUsed} model turns`}`,
          ],
        ] as [string, string][])
      : []),
  ];
  return (
    <div className="space-y-3 px-4 py-3">
      {task.description ? (
        <p className="text-sm break-words whitespace-pre-wrap text-zinc-700 dark:text-zinc-300">{task.description}</p>
      ) : null}
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
        {facts.map(([k, v]) => (
          <Fragment key={k}>
            <dt className="text-zinc-500">{k}</dt>
            <dd className="break-words">{v}</dd>
          </Fragment>
        ))}
      </dl>
      {task.error ? (
        <p className="font-mono text-xs break-words whitespace-pre-wrap text-red-700 dark:text-red-300">
          Error: {task.error}
        </p>
      ) : null}
      <div className="grid gap-3 md:grid-cols-2">
        <JsonBlock label="Payload" value={task.payload} />
        <JsonBlock label="Result" value={task.result} />
      </div>
    </div>
  );
}

function TaskRow({
  task,
  now,
  open,
  onToggle,
  agentName,
  taskTypeName,
}: {
  task: Task;
  now: Date;
  open: boolean;
  onToggle: () => void;
  agentName: (id: string) => string;
  taskTypeName: (id: string) => string;
}) {
  const detailsId = `task-details-${task.id}`;
  const expired = claimExpired(task, now);
  return (
    <>
      <tr
        data-task-id={task.id}
        onClick={(e) => {
          // The row opens its details; its buttons do their own thing.
          if (!(e.target as HTMLElement).closest("button, a, select, input")) onToggle();
        }}
        className={`cursor-pointer border-b border-zinc-100 align-top hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/40 ${open ? "bg-zinc-50 dark:bg-zinc-800/40" : ""}`}
      >
        <td className="px-4 py-2">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={onToggle}
            className="flex max-w-[24rem] items-start gap-1.5 text-left font-medium hover:underline"
          >
            <span aria-hidden className="mt-0.5 text-[10px] text-zinc-400">
              {open ? "▼" : "▶"}
            </span>
            <span className="line-clamp-2 break-words">{task.title}</span>
          </button>
        </td>
        <td className="px-3 py-2 whitespace-nowrap">
          <Badge tone={task.lane}>{LANE_LABEL[task.lane]}</Badge>
        </td>
        <td className="max-w-[11rem] truncate px-3 py-2 text-xs" title={task.model ?? "no model"}>
          {task.model ?? <span className="text-zinc-400">no model</span>}
        </td>
        <td className="px-3 py-2 text-xs">
          {task.taskType ? taskTypeName(task.taskType) : <span className="text-zinc-400">none</span>}
        </td>
        <td className="px-3 py-2 text-xs">
          <div title={task.agent ?? undefined}>
            {task.agent ? agentName(task.agent) : <span className="text-zinc-400">any agent</span>}
          </div>
          {task.claimedBy && task.claimedBy !== task.agent ? (
            <div className="text-zinc-500" title={task.claimedBy}>
              claimed by {agentName(task.claimedBy)}
            </div>
          ) : null}
        </td>
        <td className="px-3 py-2">
          <TaskStatusChip status={task.status} expired={expired} />
          {task.executedBy && task.status === "done" ? (
            <div className="mt-0.5 text-xs text-zinc-500">
              {task.executedBy === "sidecar" ? (task.escalated ? "sidecar → model" : "sidecar script") : "agent"}
            </div>
          ) : null}
        </td>
        <td className="px-3 py-2 text-right tabular-nums">{task.attempts}</td>
        <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" title={task.createdAt}>
          {formatAge(task.createdAt, now)}
        </td>
        <td className="px-4 py-2">
          <TaskActions task={task} />
        </td>
      </tr>
      {open ? (
        <tr
          id={detailsId}
          data-task-details={task.id}
          className="border-b border-zinc-200 bg-zinc-50/60 dark:border-zinc-800 dark:bg-zinc-900"
        >
          <td colSpan={COLUMNS}>
            <TaskDetails task={task} agentName={agentName} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function TaskList({
  tasks,
  filters,
  onFilters,
  agents,
  now,
  agentName,
  taskTypeName,
  stale,
}: {
  tasks: Task[];
  filters: TasksFilters;
  onFilters: (next: Partial<TasksFilters>) => void;
  agents: readonly { id: string; name: string }[];
  now: Date;
  agentName: (id: string) => string;
  taskTypeName: (id: string) => string;
  /** The rows are the previous filter's while the new ones load. */
  stale: boolean;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const filtered = !!(filters.status || filters.lane || filters.agent);
  const knownAgent = !filters.agent || agents.some((a) => a.id === filters.agent);
  return (
    <>
      <div className="flex flex-wrap items-end justify-between gap-3 pb-3">
        <div>
          <h2 className="font-semibold">Tasks</h2>
          <p className="text-xs text-zinc-500">
            The latest {TASKS_LIMIT}
            {filtered ? " that match" : ""}, newest first. Click a task for its payload and result. Ages from when it
            was queued.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-1.5">
            <span className="text-xs text-zinc-500">Status</span>
            <select
              aria-label="Filter by status"
              value={filters.status ?? ""}
              onChange={(e) => onFilters({ status: (e.target.value || null) as TaskStatus | null })}
              className={selectClass}
            >
              <option value="">Any status</option>
              {TASK_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-1.5">
            <span className="text-xs text-zinc-500">Lane</span>
            <select
              aria-label="Filter by lane"
              value={filters.lane ?? ""}
              onChange={(e) => onFilters({ lane: (e.target.value || null) as Lane | null })}
              className={selectClass}
            >
              <option value="">Any lane</option>
              {LANES.map((l) => (
                <option key={l} value={l}>
                  {LANE_LABEL[l]}
                </option>
              ))}
            </select>
          </label>
          <label className="flex items-center gap-1.5">
            <span className="text-xs text-zinc-500">Agent</span>
            <select
              aria-label="Filter by agent"
              value={filters.agent ?? ""}
              onChange={(e) => onFilters({ agent: e.target.value || null })}
              className={selectClass}
            >
              <option value="">Any agent</option>
              {!knownAgent && filters.agent ? <option value={filters.agent}>{filters.agent}</option> : null}
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          {filtered ? (
            <button
              type="button"
              onClick={() => onFilters({ status: null, lane: null, agent: null })}
              className="rounded px-2 py-1 text-xs text-blue-700 hover:underline dark:text-blue-400"
            >
              Clear filters
            </button>
          ) : null}
        </div>
      </div>
      {tasks.length === 0 ? (
        <p className="text-sm text-zinc-500">
          {filtered
            ? "No tasks match these filters."
            : "No tasks yet. Agents queue them with POST /api/v1/tasks, or queue one with the form above."}
        </p>
      ) : (
        <div className={`-mx-4 -mb-4 overflow-x-auto ${stale ? "opacity-60" : ""}`}>
          <table aria-label="Tasks" className="w-full min-w-[1100px] text-sm">
            <thead className="border-y border-zinc-200 text-left text-xs uppercase tracking-wide whitespace-nowrap text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-4 py-2">Task</th>
                <th className="px-3 py-2">Lane</th>
                <th className="px-3 py-2">Model</th>
                <th className="px-3 py-2">Task type</th>
                <th className="px-3 py-2">Agent</th>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2 text-right" title="Claims so far">
                  Attempts
                </th>
                <th className="px-3 py-2 text-right">Age</th>
                <th className="px-4 py-2 text-right">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <TaskRow
                  key={t.id}
                  task={t}
                  now={now}
                  open={open.has(t.id)}
                  onToggle={() => toggle(t.id)}
                  agentName={agentName}
                  taskTypeName={taskTypeName}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
