"use client";
// Tasks ended per hour over the last 24 hours (UTC), stacked by who ran them: the sidecar's script,
// the sidecar handing it to the agent's model, the agent itself, or nobody (failed).
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount } from "@/server/core/money";
import {
  THROUGHPUT_SERIES,
  hourRangeLabel,
  seriesOrder,
  throughputTotals,
  type ThroughputPoint,
} from "./throughput-series";

const tooltipStyle = { backgroundColor: "var(--tooltip-bg, #fff)", border: "1px solid #d4d4d8", fontSize: 12 };

export function ThroughputChart({ points }: { points: ThroughputPoint[] }) {
  const totals = throughputTotals(points);
  return (
    <div>
      <p data-testid="throughput-totals" className="text-xs text-zinc-500">
        {totals.total === 0
          ? "No task ended in the last 24 hours."
          : `${formatCount(totals.total)} ended in the last 24 hours: ${THROUGHPUT_SERIES.map(
              (s) => `${formatCount(totals[s.key])} ${s.name.toLowerCase()}`,
            ).join(", ")}.`}
      </p>
      <div data-chart="throughput" className="mt-3 h-56 text-xs text-zinc-500">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ left: -16, right: 8, top: 4 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
            <XAxis dataKey="label" stroke="currentColor" tick={{ fontSize: 11 }} interval={2} />
            <YAxis allowDecimals={false} stroke="currentColor" tick={{ fontSize: 11 }} />
            <Tooltip
              contentStyle={tooltipStyle}
              cursor={{ fill: "#a1a1aa22" }}
              // The top of the stack first, as the bars read.
              itemSorter={(item) => -seriesOrder(item.dataKey)}
              labelFormatter={(_, payload) => {
                const hour = (payload?.[0]?.payload as ThroughputPoint | undefined)?.hour;
                return hour ? hourRangeLabel(hour) : "";
              }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={(item) => seriesOrder(item.dataKey)} />
            {THROUGHPUT_SERIES.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.name} stackId="ended" fill={s.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
