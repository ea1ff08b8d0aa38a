"use client";
import Link from "next/link";
import { useState } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Badge, Card, EmptyState, Stat } from "@/components/ui";
import { formatCount, formatMicroUsd, formatShare } from "@/server/core/money";
import { isAgentStale } from "@/server/core/agent-staleness";
import { FleetBudgets } from "./fleet-budgets";
import { OpenClawPanel } from "./openclaw-panel";

type SortKey = "name" | "pin" | "turnsPerDay" | "costPerDay" | "localShare" | "lastSeen";

function SortHeader({
  label,
  k,
  sort,
  setSort,
  className = "",
}: {
  label: React.ReactNode;
  k: SortKey;
  sort: { key: SortKey; dir: 1 | -1 };
  setSort: (s: { key: SortKey; dir: 1 | -1 }) => void;
  className?: string;
}) {
  const active = sort.key === k;
  return (
    <th
      className={`px-2 py-2 sm:px-4 ${className}`}
      aria-sort={active ? (sort.dir === 1 ? "ascending" : "descending") : "none"}
    >
      <button
        type="button"
        className="uppercase tracking-wide hover:text-zinc-900 dark:hover:text-zinc-100"
        onClick={() => setSort({ key: k, dir: active ? (-sort.dir as 1 | -1) : k === "name" || k === "pin" ? 1 : -1 })}
      >
        {label}
        <span aria-hidden className="ml-1">
          {active ? (sort.dir === 1 ? "▲" : "▼") : ""}
        </span>
      </button>
    </th>
  );
}

export function FleetView() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.fleet.overview.queryOptions());
  const now = new Date(data.generatedAt);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "costPerDay", dir: -1 });
  const [filter, setFilter] = useState("");
  const [staleOnly, setStaleOnly] = useState(false);
  const needle = filter.trim().toLowerCase();
  const value = (a: (typeof data.agents)[number]): string | number => {
    switch (sort.key) {
      case "name":
        return a.name.toLowerCase();
      case "pin":
        return a.pin;
      case "turnsPerDay":
        return a.turnsPerDay;
      case "costPerDay":
        return Number(a.costPerDayMicroUsd);
      case "localShare":
        return a.last7Days.turns ? a.last7Days.localTurns / a.last7Days.turns : -1;
      case "lastSeen":
        return a.lastSeenAt ? new Date(a.lastSeenAt).getTime() : 0;
    }
  };
  const agents = data.agents
    .filter(
      (a) =>
        !needle ||
        [a.id, a.name, a.role ?? "", a.pin, a.localModel, a.claudeModel].some((f) => f.toLowerCase().includes(needle)),
    )
    .filter((a) => !staleOnly || isAgentStale(a.lastSeenAt ? new Date(a.lastSeenAt) : null, a.heartbeatMinutes, now))
    .sort((x, y) => {
      const a = value(x);
      const b = value(y);
      return (a < b ? -1 : a > b ? 1 : 0) * sort.dir || x.id.localeCompare(y.id);
    });
  // Saved: what all turns would have cost on Claude, less what they cost, metered or reported.
  const saved = (t: typeof data.today) =>
    t.counterfactualMicroUsd - t.claudeSpendMicroUsd - t.localCostMicroUsd - t.reportedCostMicroUsd;
  const saved7 = saved(data.last7Days);
  const savedToday = saved(data.today);

  return (
    <div className="space-y-6">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Turns today"
          value={formatCount(data.today.turns)}
          hint={`${formatCount(data.last7Days.turns)} in 7 days`}
        />
        <Stat
          label="Claude spend today"
          value={formatMicroUsd(data.today.claudeSpendMicroUsd)}
          hint={
            <>
              {formatMicroUsd(data.last7Days.claudeSpendMicroUsd)} in 7 days, metered
              {data.last7Days.reportedTurns > 0 ? (
                <span data-testid="reported-spend" className="block">
                  Reported by agents, not metered: {formatMicroUsd(data.today.reportedCostMicroUsd)} today,{" "}
                  {formatMicroUsd(data.last7Days.reportedCostMicroUsd)} in 7 days
                </span>
              ) : null}
            </>
          }
        />
        <Stat
          label="Served locally today"
          value={formatShare(data.today.localTurns, data.today.turns)}
          hint={`${formatShare(data.last7Days.localTurns, data.last7Days.turns)} of turns in 7 days`}
        />
        <Stat
          label="Saved vs all-Claude today"
          value={formatMicroUsd(savedToday)}
          hint={`${formatMicroUsd(saved7)} in 7 days, electricity counted`}
        />
      </div>
      <FleetBudgets />
      {data.agents.length === 0 ? (
        <EmptyState title="No agents yet">
          Add one with <code>npm run --silent offload -- agents add worker-1</code> and point it at this server.
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto p-0">
          <div className="flex flex-wrap items-center gap-3 border-b border-zinc-100 px-2 py-2 sm:px-4 dark:border-zinc-800">
            <label className="text-sm">
              <span className="sr-only">Filter agents</span>
              <input
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                placeholder="Filter by name, role, pin, model"
                className="w-64 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
              />
            </label>
            <label className="flex items-center gap-1 text-sm">
              <input type="checkbox" checked={staleOnly} onChange={(e) => setStaleOnly(e.target.checked)} /> stale only
            </label>
            <span className="text-xs text-zinc-500">
              {agents.length} of {data.agents.length} agents
            </span>
          </div>
          <table className="w-full text-sm md:min-w-[760px]">
            <caption className="sr-only">Agents</caption>
            <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <SortHeader label="Agent" k="name" sort={sort} setSort={setSort} />
                <SortHeader label="Pin" k="pin" sort={sort} setSort={setSort} className="hidden md:table-cell" />
                <th className="hidden px-2 py-2 sm:px-4 md:table-cell">Models</th>
                <SortHeader label="Turns/day" k="turnsPerDay" sort={sort} setSort={setSort} className="text-right" />
                <SortHeader label="Cost/day" k="costPerDay" sort={sort} setSort={setSort} className="text-right" />
                <SortHeader
                  label={
                    <>
                      Local<span className="hidden sm:inline"> share</span>
                    </>
                  }
                  k="localShare"
                  sort={sort}
                  setSort={setSort}
                  className="text-right"
                />
                <SortHeader label="Last seen" k="lastSeen" sort={sort} setSort={setSort} />
              </tr>
            </thead>
            <tbody>
              {agents.length === 0 ? (
                <tr>
                  <td colSpan={7} className="px-4 py-6 text-center text-sm text-zinc-500">
                    No agent matches the filter.
                  </td>
                </tr>
              ) : null}
              {agents.map((a) => {
                const stale = isAgentStale(a.lastSeenAt ? new Date(a.lastSeenAt) : null, a.heartbeatMinutes, now);
                return (
                  <tr
                    key={a.id}
                    data-agent-id={a.id}
                    className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                  >
                    <td className="px-2 py-2 sm:px-4">
                      <Link href={`/agents/${encodeURIComponent(a.id)}`} className="font-medium hover:underline">
                        {a.name}
                      </Link>
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
                    <td className="px-2 py-2 sm:px-4 text-right tabular-nums">
                      {formatMicroUsd(a.costPerDayMicroUsd)}
                      {a.reportedCostPerDayMicroUsd > 0n ? (
                        <div
                          className="text-xs text-purple-700 dark:text-purple-300"
                          title="reported by the agent, not metered"
                        >
                          +{formatMicroUsd(a.reportedCostPerDayMicroUsd)} reported
                        </div>
                      ) : null}
                    </td>
                    <td className="px-2 py-2 sm:px-4 text-right tabular-nums">
                      {formatShare(a.last7Days.localTurns, a.last7Days.turns)}
                    </td>
                    <td className="px-2 py-2 sm:px-4">
                      <span className={stale ? "text-red-600 dark:text-red-400" : ""}>
                        <Ago at={a.lastSeenAt} now={now} />
                      </span>
                      {stale ? (
                        <span className="ml-2 text-xs font-medium text-red-600 dark:text-red-400">stale</span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="border-t border-zinc-100 px-2 py-2 sm:px-4 text-xs text-zinc-500 dark:border-zinc-800">
            Per-day figures are averages over the last 7 days (UTC, today so far included; a newer agent is averaged
            over the time it has existed). Cost is what Offload metered; &ldquo;reported&rdquo; is what an agent said it
            spent calling a provider itself (POST /api/v1/turns), not metered.
            <span className="md:hidden"> Pin and models show on a wider screen.</span>
          </p>
        </Card>
      )}
      <OpenClawPanel />
    </div>
  );
}
