"use client";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/trpc-provider";
import { Card, EmptyState } from "@/components/ui";
import { formatCount, formatMicroUsd, formatShare } from "@/server/core/money";

export function DailyCostTable({ days }: { days: 7 | 30 | 90 }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.fleet.dailyTotals.queryOptions({ days }));
  if (data.length === 0) {
    return <EmptyState title="No turns recorded in this range yet">Costs appear here once agents send turns through the gateway or report their usage.</EmptyState>;
  }
  const rows = [...data].reverse();
  return (
    <Card className="overflow-x-auto p-0">
      <table className="w-full min-w-[640px] text-sm">
        <caption className="sr-only">Daily costs</caption>
        <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="px-4 py-2">Day</th>
            <th className="px-4 py-2 text-right">Turns</th>
            <th className="px-4 py-2 text-right">Local share</th>
            <th className="px-4 py-2 text-right">Claude spend</th>
            <th className="px-4 py-2 text-right">Local (electricity)</th>
            <th className="px-4 py-2 text-right">All-Claude would be</th>
            <th className="px-4 py-2 text-right">Saved</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.day} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
              <td className="px-4 py-2 tabular-nums">{d.day}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatCount(d.turns)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatShare(d.localTurns, d.turns)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatMicroUsd(d.claudeSpendMicroUsd)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatMicroUsd(d.localCostMicroUsd)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatMicroUsd(d.counterfactualMicroUsd)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{formatMicroUsd(d.counterfactualMicroUsd - d.claudeSpendMicroUsd - d.localCostMicroUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
