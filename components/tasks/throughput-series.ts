// The throughput chart's data: tasks ended per UTC hour over the last 24 hours, stacked by who ran
// them. The server answers only the hours that had tasks; the chart wants every hour, empty ones at 0.
import type { TaskOverview } from "./tasks-inputs";

type ThroughputRow = TaskOverview["throughput"][number];
export type ThroughputKey = "sidecar" | "escalated" | "agent" | "failed";

/** The stacks, bottom first, with their legend names and colours. */
export const THROUGHPUT_SERIES: readonly { key: ThroughputKey; name: string; color: string }[] = [
  { key: "sidecar", name: "Sidecar script", color: "#64748b" },
  { key: "escalated", name: "Sidecar, escalated to a model", color: "#ca8a04" },
  { key: "agent", name: "Agent", color: "#2563eb" },
  { key: "failed", name: "Failed", color: "#dc2626" },
];

/** A series' place in the stack, bottom first (legend and tooltip order; recharts would sort by name). */
export function seriesOrder(dataKey: unknown): number {
  const i = THROUGHPUT_SERIES.findIndex((s) => s.key === dataKey);
  return i === -1 ? THROUGHPUT_SERIES.length : i;
}

export type ThroughputPoint = Record<ThroughputKey, number> & {
  /** The hour's start, as the server names it: 2026-12-01T14:00Z. */
  hour: string;
  /** The axis label: 14:00. */
  label: string;
  total: number;
};

const HOUR_MS = 3_600_000;
const hourKey = (ms: number) => `${new Date(ms).toISOString().slice(0, 13)}:00Z`;
const hourStart = (key: string) => Date.parse(key.replace("Z", ":00Z"));

/**
 * Every UTC hour from 23 hours before `now`'s hour to `now`'s hour (24 bars), with the server's counts
 * in theirs. An hour the server counted before that (the window's partial first hour) gets a bar of its own.
 */
export function throughputSeries(rows: readonly ThroughputRow[], now: Date): ThroughputPoint[] {
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  const last = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  let firstMs = last - 23 * HOUR_MS;
  for (const r of rows) {
    const ms = hourStart(r.hour);
    if (Number.isFinite(ms) && ms < firstMs) firstMs = ms;
  }
  const points: ThroughputPoint[] = [];
  for (let ms = firstMs; ms <= last; ms += HOUR_MS) {
    const key = hourKey(ms);
    const r = byHour.get(key);
    const counts = {
      sidecar: r?.sidecar ?? 0,
      escalated: r?.escalated ?? 0,
      agent: r?.agent ?? 0,
      failed: r?.failed ?? 0,
    };
    points.push({
      hour: key,
      label: key.slice(11, 16),
      ...counts,
      total: counts.sidecar + counts.escalated + counts.agent + counts.failed,
    });
  }
  return points;
}

/** The series' sums over the points (the legend's and the caption's figures). */
export function throughputTotals(points: readonly ThroughputPoint[]): Record<ThroughputKey | "total", number> {
  const totals = { sidecar: 0, escalated: 0, agent: 0, failed: 0, total: 0 };
  for (const p of points) {
    totals.sidecar += p.sidecar;
    totals.escalated += p.escalated;
    totals.agent += p.agent;
    totals.failed += p.failed;
    totals.total += p.total;
  }
  return totals;
}

/** A tooltip's title for a point: "2026-12-01 14:00–15:00 UTC". */
export function hourRangeLabel(hour: string): string {
  const start = hourStart(hour);
  if (!Number.isFinite(start)) return hour;
  const end = new Date(start + HOUR_MS).toISOString().slice(11, 16);
  return `${hour.slice(0, 10)} ${hour.slice(11, 16)}–${end} UTC`;
}
