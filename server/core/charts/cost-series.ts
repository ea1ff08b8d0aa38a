// Chart preparation for the Costs page, pure: DailyUsage aggregates in, one row per calendar day
// of the range out. A day without turns is a gap (null), never a zero: a quiet day and a day
// the fleet did not run look different on a chart. Today (UTC) is partial: it is marked, and lines
// stop at the last complete day with today apart, so a day half over does not read as a collapse.
// Money stays integer micro-dollars until the last step, where it becomes dollars for the axis.
// Turns agents reported themselves (POST /api/v1/turns) are part of the totals, and their cost is
// also its own series: what Offload metered and what agents say they spent are told apart.
import type { Lane } from "@/server/core/lanes";

export type DayLaneUsage = {
  day: string; // YYYY-MM-DD (UTC)
  lane: Lane;
  turns: number;
  costMicroUsd: bigint;
  counterfactualMicroUsd: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  /** Of `turns` and `costMicroUsd`: what agents reported themselves, not metered by the gateway. */
  reportedTurns: number;
  reportedCostMicroUsd: bigint;
};

export type DailyPoint = {
  day: string;
  /** Today (UTC): the day is not over, its numbers are "so far". */
  partial: boolean;
  turns: Record<Lane, number | null>;
  totalTurns: number | null;
  /** Turns agents reported themselves (part of totalTurns); null on a day without turns. */
  reportedTurns: number | null;
  /** Dollars, for the axis; null on a day without turns. All turns' cost: metered + reported. */
  actualUsd: number | null;
  /** What the gateway metered. */
  meteredUsd: number | null;
  /** What agents reported spending (POST /api/v1/turns): not metered by Offload. */
  reportedUsd: number | null;
  allClaudeUsd: number | null;
  savedUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
};

const DAY_MS = 86_400_000;

/** Every UTC day from `from` to `to`, inclusive, as YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`bad day range ${from}..${to}`);
  for (let t = start; t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export const microToUsd = (micro: bigint) => Number(micro) / 1_000_000;

/** How charts and tooltips name today's partial day. */
export const PARTIAL_DAY_NOTE = "today so far";

/**
 * One point per UTC day from `from` to `to`. `today` (YYYY-MM-DD, UTC) marks that day as partial;
 * leave it out for a range that ended before today.
 */
export function dailySeries(rows: readonly DayLaneUsage[], from: string, to: string, today?: string): DailyPoint[] {
  const byDay = new Map<string, DayLaneUsage[]>();
  for (const r of rows) {
    const list = byDay.get(r.day);
    if (list) list.push(r);
    else byDay.set(r.day, [r]);
  }
  return daysBetween(from, to).map((day) => {
    const list = byDay.get(day);
    const partial = day === today;
    if (!list || list.every((r) => r.turns === 0)) {
      return {
        day,
        partial,
        turns: { sidecar: null, local: null, local_careful: null, claude: null },
        totalTurns: null,
        reportedTurns: null,
        actualUsd: null,
        meteredUsd: null,
        reportedUsd: null,
        allClaudeUsd: null,
        savedUsd: null,
        inputTokens: null,
        outputTokens: null,
        cacheReadTokens: null,
        cacheWriteTokens: null,
      };
    }
    const turns: Record<Lane, number | null> = { sidecar: 0, local: 0, local_careful: 0, claude: 0 };
    let cost = 0n;
    let reportedCost = 0n;
    let reportedTurns = 0;
    let counterfactual = 0n;
    let input = 0n;
    let output = 0n;
    let cacheRead = 0n;
    let cacheWrite = 0n;
    for (const r of list) {
      turns[r.lane] = (turns[r.lane] ?? 0) + r.turns;
      cost += r.costMicroUsd;
      reportedCost += r.reportedCostMicroUsd;
      reportedTurns += r.reportedTurns;
      counterfactual += r.counterfactualMicroUsd;
      input += r.inputTokens;
      output += r.outputTokens;
      cacheRead += r.cacheReadTokens;
      cacheWrite += r.cacheWriteTokens;
    }
    return {
      day,
      partial,
      turns,
      totalTurns: list.reduce((n, r) => n + r.turns, 0),
      reportedTurns,
      actualUsd: microToUsd(cost),
      meteredUsd: microToUsd(cost - reportedCost),
      reportedUsd: microToUsd(reportedCost),
      allClaudeUsd: microToUsd(counterfactual),
      savedUsd: microToUsd(counterfactual - cost),
      inputTokens: Number(input),
      outputTokens: Number(output),
      cacheReadTokens: Number(cacheRead),
      cacheWriteTokens: Number(cacheWrite),
    };
  });
}

/** The numeric series a line chart draws. */
export type LineKey = "actualUsd" | "meteredUsd" | "reportedUsd" | "allClaudeUsd" | "savedUsd";
export type LinePoint = DailyPoint & Record<LineKey | `${LineKey}SoFar`, number | null>;

/**
 * Points for line and area charts: the partial day's values move from `<key>` to `<key>SoFar`,
 * so each line ends at the last complete day and today can be drawn apart (a marked point, "today
 * so far") instead of as a cliff toward zero. Complete days have null `<key>SoFar`.
 */
export function splitPartialDay(points: readonly DailyPoint[]): LinePoint[] {
  const keys: readonly LineKey[] = ["actualUsd", "meteredUsd", "reportedUsd", "allClaudeUsd", "savedUsd"];
  return points.map((p) => {
    const out = { ...p } as LinePoint;
    for (const k of keys) {
      out[`${k}SoFar`] = p.partial ? p[k] : null;
      if (p.partial) out[k] = null;
    }
    return out;
  });
}

/** A day as a chart's tooltip names it: "11-30", or "11-30, today so far". */
export function dayLabel(point: Pick<DailyPoint, "day" | "partial">): string {
  const short = point.day.slice(5);
  return point.partial ? `${short}, ${PARTIAL_DAY_NOTE}` : short;
}

/** RFC 4180 CSV: a header from the first row's keys' labels; fields with commas, quotes or newlines quoted. */
export function toCsv(
  columns: readonly { key: string; label: string }[],
  rows: readonly Record<string, unknown>[],
): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c.label)).join(",")];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c.key])).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** The daily series flattened for CSV: empty cells on days without turns; today's row says "today so far". */
export function dailySeriesCsv(points: readonly DailyPoint[]): string {
  const columns = [
    { key: "day", label: "day (UTC)" },
    { key: "sidecar", label: "turns sidecar" },
    { key: "local", label: "turns local" },
    { key: "local_careful", label: "turns local with care" },
    { key: "claude", label: "turns claude" },
    { key: "reportedTurns", label: "turns reported by agents" },
    { key: "actualUsd", label: "cost USD" },
    { key: "meteredUsd", label: "metered cost USD" },
    { key: "reportedUsd", label: "reported cost USD (by agents; not metered)" },
    { key: "allClaudeUsd", label: "all-Claude cost USD" },
    { key: "savedUsd", label: "saved USD" },
    { key: "inputTokens", label: "input tokens" },
    { key: "outputTokens", label: "output tokens" },
    { key: "cacheReadTokens", label: "cache read tokens" },
    { key: "cacheWriteTokens", label: "cache write tokens" },
    { key: "partial", label: "partial day" },
  ];
  return toCsv(
    columns,
    points.map((p) => ({
      ...p,
      ...p.turns,
      actualUsd: p.actualUsd?.toFixed(6),
      meteredUsd: p.meteredUsd?.toFixed(6),
      reportedUsd: p.reportedUsd?.toFixed(6),
      allClaudeUsd: p.allClaudeUsd?.toFixed(6),
      savedUsd: p.savedUsd?.toFixed(6),
      partial: p.partial ? PARTIAL_DAY_NOTE : null,
    })),
  );
}
