"use client";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/trpc-provider";
import { Badge, Card, EmptyState, Stat } from "@/components/ui";
import { formatCount, formatMicroUsd, formatShare } from "@/server/core/money";
import { isAgentStale } from "@/server/core/agent-staleness";
import { formatAgo } from "@/components/format";

export function FleetView() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.fleet.overview.queryOptions());
  const now = new Date(data.generatedAt);
  const saved7 = data.last7Days.counterfactualMicroUsd - data.last7Days.claudeSpendMicroUsd - data.last7Days.localCostMicroUsd;
  const savedToday = data.today.counterfactualMicroUsd - data.today.claudeSpendMicroUsd - data.today.localCostMicroUsd;

  return (
    <div className="space-y-6">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Turns today" value={formatCount(data.today.turns)} hint={`${formatCount(data.last7Days.turns)} in 7 days`} />
        <Stat label="Claude spend today" value={formatMicroUsd(data.today.claudeSpendMicroUsd)} hint={`${formatMicroUsd(data.last7Days.claudeSpendMicroUsd)} in 7 days`} />
        <Stat label="Served locally today" value={formatShare(data.today.localTurns, data.today.turns)} hint={`${formatShare(data.last7Days.localTurns, data.last7Days.turns)} of turns in 7 days`} />
        <Stat label="Saved vs all-Claude today" value={formatMicroUsd(savedToday)} hint={`${formatMicroUsd(saved7)} in 7 days, electricity counted`} />
      </div>
      {data.agents.length === 0 ? (
        <EmptyState title="No agents yet">
          Add one with <code>npm run --silent offload -- agents add worker-1</code> and point it at this server.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto p-0">
          <table className="w-full text-sm md:min-w-[760px]">
            <caption className="sr-only">Agents</caption>
            <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-2 py-2 sm:px-4">Agent</th>
                <th className="hidden px-2 py-2 sm:px-4 md:table-cell">Pin</th>
                <th className="hidden px-2 py-2 sm:px-4 md:table-cell">Models</th>
                <th className="px-2 py-2 sm:px-4 text-right">Turns/day</th>
                <th className="px-2 py-2 sm:px-4 text-right">Cost/day</th>
                <th className="px-2 py-2 sm:px-4 text-right">Local<span className="hidden sm:inline"> share</span></th>
                <th className="px-2 py-2 sm:px-4">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {data.agents.map((a) => {
                const stale = isAgentStale(a.lastSeenAt ? new Date(a.lastSeenAt) : null, a.heartbeatMinutes, now);
                return (
                  <tr key={a.id} data-agent-id={a.id} className="border-b border-zinc-100 last:border-0 dark:border-zinc-800">
                    <td className="px-2 py-2 sm:px-4">
                      <div className="font-medium">{a.name}</div>
                      <div className="text-xs text-zinc-500">
                        {a.id}
                        {a.role ? <span className="hidden md:inline"> · {a.role}</span> : null}
                      </div>
                    </td>
                    <td className="hidden px-2 py-2 sm:px-4 md:table-cell">
                      <Badge tone={a.pin === "none" ? "none" : a.pin}>{a.pin === "none" ? "per task" : a.pin}</Badge>
                    </td>
                    <td className="hidden px-2 py-2 sm:px-4 text-xs text-zinc-600 md:table-cell dark:text-zinc-400">
                      {a.localModel}
                      <br />
                      {a.claudeModel}
                    </td>
                    <td className="px-2 py-2 sm:px-4 text-right tabular-nums" data-col="turns-per-day">
                      {formatCount(Math.round(a.turnsPerDay))}
                    </td>
                    <td className="px-2 py-2 sm:px-4 text-right tabular-nums">{formatMicroUsd(a.costPerDayMicroUsd)}</td>
                    <td className="px-2 py-2 sm:px-4 text-right tabular-nums">{formatShare(a.last7Days.localTurns, a.last7Days.turns)}</td>
                    <td className="px-2 py-2 sm:px-4">
                      <span className={stale ? "text-red-600 dark:text-red-400" : ""}>{formatAgo(a.lastSeenAt ? new Date(a.lastSeenAt) : null, now)}</span>
                      {stale ? <span className="ml-2 text-xs font-medium text-red-600 dark:text-red-400">stale</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="border-t border-zinc-100 px-2 py-2 sm:px-4 text-xs text-zinc-500 dark:border-zinc-800">
            Per-day figures are averages over the last 7 days (UTC, today so far included; a newer agent is averaged over the time it has existed).
            <span className="md:hidden"> Pin and models show on a wider screen.</span>
          </p>
        </Card>
      )}
    </div>
  );
}
