"use client";
// The Costs page: charts over 7, 30 or 90 days from DailyUsage, and their data as CSV. What agents
// reported spending themselves (POST /api/v1/turns) is drawn as its own series, apart from what the
// gateway metered.
import { useMemo, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useTRPC } from "@/trpc/react";
import { Card, EmptyState, LoadingBlock } from "@/components/ui";
import { LANES, LANE_LABEL } from "@/server/core/lanes";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import {
  PARTIAL_DAY_NOTE,
  dailySeries,
  dailySeriesCsv,
  microToUsd,
  splitPartialDay,
  toCsv,
} from "@/server/core/charts/cost-series";
import { formatUtcDay } from "@/components/format";
import { partialDayBand, partialDayLabel, tooltipDayLabel } from "./partial-day";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";

type CostRange = RouterInputs["fleet"]["costs"]["days"];
type CostBreakdown = RouterOutputs["fleet"]["costs"]["byAgent"][number];

const LANE_COLOR = { sidecar: "#64748b", local: "#16a34a", local_careful: "#ca8a04", claude: "#c2410c" } as const;
const usd = (v: number) => (Math.abs(v) >= 100 ? `$${Math.round(v)}` : `$${v.toFixed(2)}`);
const compact = (v: number) => Intl.NumberFormat("en-US", { notation: "compact" }).format(v);
const shortDay = (day: string) => day.slice(5);
/** Today's partial cost, drawn as a lone dot per series beside lines that end at the last complete day. */
const SO_FAR_DOTS = [
  { key: "allClaudeUsdSoFar", name: "All-Claude", color: "#a1a1aa" },
  { key: "actualUsdSoFar", name: "Actual", color: "#2563eb" },
  { key: "savedUsdSoFar", name: "Saved", color: "#16a34a" },
] as const;
const REPORTED_COLOR = "#9333ea";
/** How charts and totals name what agents reported themselves. */
const REPORTED_NAME = "Reported by agents, not metered";
const tooltipStyle = { backgroundColor: "var(--tooltip-bg, #fff)", border: "1px solid #d4d4d8", fontSize: 12 };

function download(name: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function ChartCard({
  title,
  subtitle,
  children,
  testId,
}: {
  title: string;
  subtitle?: string;
  children: React.ReactNode;
  testId: string;
}) {
  return (
    <Card>
      <h2 className="font-semibold">{title}</h2>
      {subtitle ? <p className="text-xs text-zinc-500">{subtitle}</p> : null}
      <div data-chart={testId} className="mt-3 h-64 text-xs text-zinc-500">
        {children}
      </div>
    </Card>
  );
}

function Breakdown({ title, rows, testId }: { title: string; rows: CostBreakdown[]; testId: string }) {
  const data = rows.slice(0, 10).map((r) => ({
    name: r.name,
    metered: microToUsd(r.costMicroUsd - r.reportedCostMicroUsd),
    reported: microToUsd(r.reportedCostMicroUsd),
    allClaude: microToUsd(r.counterfactualMicroUsd),
  }));
  const anyReported = rows.some((r) => r.reportedCostMicroUsd !== 0n);
  return (
    <ChartCard
      title={title}
      subtitle="Top 10 by cost, against what the same turns would cost on Claude"
      testId={testId}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="#a1a1aa55" />
          <XAxis type="number" tickFormatter={usd} stroke="currentColor" />
          <YAxis
            type="category"
            dataKey="name"
            width={130}
            interval={0}
            stroke="currentColor"
            tick={{ fontSize: 11 }}
          />
          <Tooltip formatter={(v) => usd(Number(v))} contentStyle={tooltipStyle} />
          <Legend />
          <Bar dataKey="metered" name="Metered" stackId="cost" fill="#2563eb" isAnimationActive={false} />
          {anyReported ? (
            <Bar
              dataKey="reported"
              name={REPORTED_NAME}
              stackId="cost"
              fill={REPORTED_COLOR}
              isAnimationActive={false}
            />
          ) : null}
          <Bar dataKey="allClaude" name="All-Claude" fill="#a1a1aa" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function CostsView() {
  const trpc = useTRPC();
  const [days, setDays] = useState<CostRange>(30);
  const query = useQuery({ ...trpc.fleet.costs.queryOptions({ days }), placeholderData: keepPreviousData });
  const retention = useQuery(trpc.system.retention.queryOptions());
  const retainedFrom = retention.data?.turnsRetainedFrom ?? null;
  const points = useMemo(
    // The range ends today (the server's UTC day when it read): that day is partial.
    () => (query.data ? dailySeries(query.data.byDayLane, query.data.from, query.data.to, query.data.to) : []),
    [query.data],
  );

  const rangePicker = (
    <div
      role="group"
      aria-label="Range"
      className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700"
    >
      {([7, 30, 90] as const).map((d) => (
        <button
          key={d}
          type="button"
          aria-pressed={days === d}
          onClick={() => setDays(d)}
          className={`px-3 py-1 text-sm ${days === d ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
        >
          {d} days
        </button>
      ))}
    </div>
  );

  if (query.isPending) return <LoadingBlock label="costs" />;
  if (query.isError) {
    return (
      <div
        role="alert"
        className="rounded border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
      >
        Could not load the costs: {query.error.message}
      </div>
    );
  }
  const data = query.data;
  const total = data.byDayLane.reduce(
    (t, r) => ({
      cost: t.cost + r.costMicroUsd,
      reported: t.reported + r.reportedCostMicroUsd,
      reportedTurns: t.reportedTurns + r.reportedTurns,
      cf: t.cf + r.counterfactualMicroUsd,
      turns: t.turns + r.turns,
    }),
    { cost: 0n, reported: 0n, reportedTurns: 0, cf: 0n, turns: 0 },
  );
  const anyReported = total.reportedTurns > 0;
  // Lines end at the last complete day; today's cost is drawn apart, as dots (`<key>SoFar`).
  const chartData = splitPartialDay(points).map((p) => ({
    ...p,
    ...Object.fromEntries(LANES.map((l) => [`turns_${l}`, p.turns[l]])),
    label: shortDay(p.day),
  }));
  const todayLabel = partialDayLabel(points, (p) => shortDay(p.day));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        {rangePicker}
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
            {data.from} to {data.to} (UTC) · {formatCount(total.turns)} turns · spent {formatMicroUsd(total.cost)}
            {anyReported ? (
              <span data-testid="reported-total">
                {" "}
                (metered {formatMicroUsd(total.cost - total.reported)}; reported by agents, not metered{" "}
                {formatMicroUsd(total.reported)} in {formatCount(total.reportedTurns)} turns)
              </span>
            ) : null}{" "}
            · all-Claude {formatMicroUsd(total.cf)} · saved {formatMicroUsd(total.cf - total.cost)}
          </span>
          <button
            type="button"
            onClick={() => download(`offload-daily-${data.from}-${data.to}.csv`, dailySeriesCsv(points))}
            className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            Daily CSV
          </button>
          <button
            type="button"
            onClick={() =>
              download(
                `offload-breakdown-${data.from}-${data.to}.csv`,
                toCsv(
                  [
                    { key: "kind", label: "kind" },
                    { key: "id", label: "id" },
                    { key: "name", label: "name" },
                    { key: "turns", label: "turns" },
                    { key: "cost", label: "cost USD" },
                    { key: "reported", label: "reported cost USD (by agents; not metered)" },
                    { key: "allClaude", label: "all-Claude cost USD" },
                  ],
                  [
                    ...data.byAgent.map((r) => ({
                      kind: "agent",
                      ...r,
                      cost: microToUsd(r.costMicroUsd).toFixed(6),
                      reported: microToUsd(r.reportedCostMicroUsd).toFixed(6),
                      allClaude: microToUsd(r.counterfactualMicroUsd).toFixed(6),
                    })),
                    ...data.byTaskType.map((r) => ({
                      kind: "task type",
                      ...r,
                      cost: microToUsd(r.costMicroUsd).toFixed(6),
                      reported: microToUsd(r.reportedCostMicroUsd).toFixed(6),
                      allClaude: microToUsd(r.counterfactualMicroUsd).toFixed(6),
                    })),
                  ],
                ),
              )
            }
            className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            Breakdown CSV
          </button>
        </div>
      </div>
      {query.isFetching ? (
        <p className="text-xs text-zinc-500" role="status">
          Updating…
        </p>
      ) : null}
      {retainedFrom && data.from < retainedFrom ? (
        <p className="text-xs text-zinc-500" data-testid="costs-retired-notice">
          Turns before {formatUtcDay(retainedFrom)} are retired (the retention period): these days come from the daily
          totals, which are kept, and their unpriced turns stay unpriced, as a price added now cannot reach them.
        </p>
      ) : null}
      {total.turns === 0 ? (
        <EmptyState title="No turns recorded in this range">
          Charts appear once agents send turns through the gateway or report their usage.
        </EmptyState>
      ) : (
        <>
          <div className="grid gap-6 lg:grid-cols-2">
            <ChartCard title="Turns a day by lane" subtitle="Days without turns are left empty" testId="turns">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={chartData}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
                  <XAxis dataKey="label" stroke="currentColor" minTickGap={16} />
                  <YAxis tickFormatter={compact} stroke="currentColor" />
                  {partialDayBand(todayLabel)}
                  <Tooltip contentStyle={tooltipStyle} labelFormatter={tooltipDayLabel} />
                  <Legend />
                  {LANES.map((l) => (
                    <Bar
                      key={l}
                      dataKey={`turns_${l}`}
                      name={LANE_LABEL[l]}
                      stackId="lanes"
                      fill={LANE_COLOR[l]}
                      isAnimationActive={false}
                    />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </ChartCard>
            <ChartCard
              title="Cost a day: actual against all-Claude"
              subtitle={
                anyReported
                  ? `Actual is metered plus reported by agents (not metered, in purple); the band above it is what routing saved; the dots are ${PARTIAL_DAY_NOTE}`
                  : `The band between the lines is what routing saved; the dots are ${PARTIAL_DAY_NOTE}`
              }
              testId="cost"
            >
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={chartData}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
                  <XAxis dataKey="label" stroke="currentColor" minTickGap={16} />
                  <YAxis tickFormatter={usd} stroke="currentColor" />
                  <Tooltip
                    formatter={(v) => usd(Number(v))}
                    labelFormatter={tooltipDayLabel}
                    contentStyle={tooltipStyle}
                  />
                  <Legend />
                  <Area
                    dataKey="allClaudeUsd"
                    name="All-Claude"
                    stroke="#a1a1aa"
                    fill="#16a34a33"
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                  <Area
                    dataKey={anyReported ? "meteredUsd" : "actualUsd"}
                    name={anyReported ? "Metered" : "Actual"}
                    stackId={anyReported ? "actual" : undefined}
                    stroke="#2563eb"
                    fill="#2563eb22"
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                  {anyReported ? (
                    <Area
                      dataKey="reportedUsd"
                      name={REPORTED_NAME}
                      stackId="actual"
                      stroke={REPORTED_COLOR}
                      strokeDasharray="4 3"
                      fill={`${REPORTED_COLOR}33`}
                      connectNulls={false}
                      isAnimationActive={false}
                    />
                  ) : null}
                  <Line
                    dataKey="savedUsd"
                    name="Saved"
                    stroke="#16a34a"
                    dot={false}
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                  {anyReported ? (
                    <Line
                      dataKey="reportedUsdSoFar"
                      name={`${REPORTED_NAME}, ${PARTIAL_DAY_NOTE}`}
                      stroke={REPORTED_COLOR}
                      dot={{ r: 4, strokeWidth: 2 }}
                      legendType="none"
                      isAnimationActive={false}
                    />
                  ) : null}
                  {SO_FAR_DOTS.map((d) => (
                    <Line
                      key={d.key}
                      dataKey={d.key}
                      name={`${d.name}, ${PARTIAL_DAY_NOTE}`}
                      stroke={d.color}
                      dot={{ r: 4, strokeWidth: 2 }}
                      legendType="none"
                      isAnimationActive={false}
                    />
                  ))}
                </ComposedChart>
              </ResponsiveContainer>
            </ChartCard>
            <Breakdown title="Cost by agent" rows={data.byAgent} testId="by-agent" />
            <Breakdown title="Cost by task type" rows={data.byTaskType} testId="by-task-type" />
          </div>
          <ChartCard title="Tokens a day" subtitle="Input, output and prompt-cache tokens, all lanes" testId="tokens">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={chartData}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
                <XAxis dataKey="label" stroke="currentColor" minTickGap={16} />
                <YAxis tickFormatter={compact} stroke="currentColor" />
                {partialDayBand(todayLabel)}
                <Tooltip
                  formatter={(v) => formatCount(Number(v))}
                  labelFormatter={tooltipDayLabel}
                  contentStyle={tooltipStyle}
                />
                <Legend />
                <Bar dataKey="inputTokens" name="Input" stackId="t" fill="#2563eb" isAnimationActive={false} />
                <Bar dataKey="outputTokens" name="Output" stackId="t" fill="#7c3aed" isAnimationActive={false} />
                <Bar dataKey="cacheReadTokens" name="Cache read" stackId="t" fill="#0891b2" isAnimationActive={false} />
                <Bar
                  dataKey="cacheWriteTokens"
                  name="Cache write"
                  stackId="t"
                  fill="#db2777"
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          </ChartCard>
        </>
      )}
    </div>
  );
}
