// Today's partial day on the daily charts (costs page, agent page): a shaded band marked "so far"
// behind today's bars and points, and tooltips that name the day "today so far".
import type { ReactNode } from "react";
import { ReferenceArea } from "recharts";
import { dayLabel, type DailyPoint } from "@/server/core/charts/cost-series";

/** The x-axis label of the partial day, if the series has one. */
export function partialDayLabel(points: readonly DailyPoint[], label: (p: DailyPoint) => string): string | undefined {
  const today = points.find((p) => p.partial);
  return today ? label(today) : undefined;
}

/**
 * A shaded band over today's bar, labelled "so far"; render it as a direct child of a bar chart (a
 * line chart's last point sits on the edge, where a band has no width: mark today there with dots).
 */
export function partialDayBand(axisLabel: string | undefined) {
  if (!axisLabel) return null;
  return (
    <ReferenceArea
      x1={axisLabel}
      x2={axisLabel}
      fill="#a1a1aa"
      fillOpacity={0.15}
      ifOverflow="visible"
      label={{ value: "so far", position: "insideTop", fontSize: 10, fill: "currentColor" }}
    />
  );
}

/** Tooltip title from the hovered row's day: "11-30", or "11-30, today so far". */
export function tooltipDayLabel(label: ReactNode, payload: readonly { payload?: unknown }[]): ReactNode {
  const row = payload[0]?.payload as Partial<DailyPoint> | undefined;
  return row?.day !== undefined && row.partial !== undefined ? dayLabel({ day: row.day, partial: row.partial }) : label;
}
