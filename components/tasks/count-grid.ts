// The queue by lane and status as a grid: one row per lane (tier order, empty lanes too), one column
// per status, with the totals of each. The server answers only the (lane, status) pairs that have tasks.
import { LANES, LANE_LABEL, LANE_TIER, type Lane } from "@/server/core/lanes";
import { TASK_STATUSES, type TaskOverview, type TaskStatus } from "./tasks-inputs";

export type CountRow = { lane: Lane; label: string; tier: number; byStatus: Record<TaskStatus, number>; total: number };
export type CountGrid = { rows: CountRow[]; byStatus: Record<TaskStatus, number>; total: number };

const zeroes = (): Record<TaskStatus, number> =>
  Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;

export function countGrid(counts: TaskOverview["counts"]): CountGrid {
  const rows = LANES.map<CountRow>((lane) => ({
    lane,
    label: LANE_LABEL[lane],
    tier: LANE_TIER[lane],
    byStatus: zeroes(),
    total: 0,
  }));
  const byStatus = zeroes();
  let total = 0;
  for (const c of counts) {
    const row = rows.find((r) => r.lane === c.lane);
    if (!row || !(c.status in row.byStatus)) continue;
    row.byStatus[c.status] += c.tasks;
    row.total += c.tasks;
    byStatus[c.status] += c.tasks;
    total += c.tasks;
  }
  return { rows, byStatus, total };
}
