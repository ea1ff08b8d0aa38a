// The queue by lane and status: one row per lane (Tier 0 to 3), one column per status. A count is a
// button that filters the task list to those tasks. Expired claims count as queued (the next claim
// takes them again).
import { Badge } from "@/components/ui";
import { formatCount } from "@/server/core/money";
import type { Lane } from "@/server/core/lanes";
import type { CountGrid } from "./count-grid";
import { TASK_STATUSES, type TaskStatus } from "./tasks-inputs";

const STATUS_TEXT: Record<TaskStatus, string> = {
  queued: "text-blue-700 dark:text-blue-300",
  claimed: "text-violet-700 dark:text-violet-300",
  done: "text-green-700 dark:text-green-300",
  failed: "text-red-700 dark:text-red-300",
  cancelled: "text-zinc-600 dark:text-zinc-400",
};

export function QueueCounts({
  grid,
  onFilter,
}: {
  grid: CountGrid;
  onFilter: (filter: { lane: Lane | null; status: TaskStatus | null }) => void;
}) {
  const cell = (lane: Lane | null, status: TaskStatus | null, n: number, label: string) =>
    n === 0 ? (
      <span className="text-zinc-300 dark:text-zinc-600" aria-label={`${label}: none`}>
        0
      </span>
    ) : (
      <button
        type="button"
        onClick={() => onFilter({ lane, status })}
        aria-label={`${label}: ${n}. Show them`}
        className={`rounded px-1 tabular-nums hover:underline ${status ? STATUS_TEXT[status] : "font-medium"}`}
      >
        {formatCount(n)}
      </button>
    );
  return (
    <div className="-mx-4 overflow-x-auto">
      <table aria-label="Tasks by lane and status" className="w-full min-w-[520px] text-sm">
        <thead className="border-y border-zinc-200 text-xs uppercase tracking-wide whitespace-nowrap text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="px-4 py-2 text-left">Lane</th>
            {TASK_STATUSES.map((s) => (
              <th key={s} className="px-2 py-2 text-right">
                {s}
              </th>
            ))}
            <th className="px-4 py-2 text-right">All</th>
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((row) => (
            <tr key={row.lane} data-lane={row.lane} className="border-b border-zinc-100 dark:border-zinc-800">
              <th scope="row" className="px-4 py-2 text-left font-normal whitespace-nowrap">
                <span className="mr-1 text-xs text-zinc-500 tabular-nums">T{row.tier}</span>{" "}
                <Badge tone={row.lane}>{row.label}</Badge>
              </th>
              {TASK_STATUSES.map((s) => (
                <td key={s} data-status={s} className="px-2 py-2 text-right">
                  {cell(row.lane, s, row.byStatus[s], `${row.label}, ${s}`)}
                </td>
              ))}
              <td data-status="all" className="px-4 py-2 text-right">
                {cell(row.lane, null, row.total, `${row.label}, all`)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-lane="all" className="font-medium">
            <th scope="row" className="px-4 py-2 text-left">
              All lanes
            </th>
            {TASK_STATUSES.map((s) => (
              <td key={s} data-status={s} className="px-2 py-2 text-right">
                {cell(null, s, grid.byStatus[s], `All lanes, ${s}`)}
              </td>
            ))}
            <td data-status="all" className="px-4 py-2 text-right">
              {cell(null, null, grid.total, "All lanes, all")}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
