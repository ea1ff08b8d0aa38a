"use client";
// One agent: its turns over time by lane, its most frequent task types, its recent turns, its key
// (rotate shows the new key once; revoke stops it at once) and its pin.
import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/trpc/react";
import { Ago, Badge, Card, LoadingBlock, PageTitle, Stat } from "@/components/ui";
import { LANES, LANE_LABEL, PINS, type Pin } from "@/server/core/lanes";
import { formatCount, formatMicroUsd, formatShare } from "@/server/core/money";
import { dailySeries } from "@/server/core/charts/cost-series";
import { partialDayBand, partialDayLabel, tooltipDayLabel } from "@/components/costs/partial-day";
import { AgentLimits } from "./agent-limits";

const LANE_COLOR = { sidecar: "#64748b", local: "#16a34a", local_careful: "#ca8a04", claude: "#c2410c" } as const;
const PIN_LABEL: Record<Pin, string> = {
  none: "per task (no pin)",
  local: "pinned to local",
  claude: "pinned to Claude",
};

export function AgentView({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery(trpc.fleet.agent.queryOptions({ id }));
  const [newKey, setNewKey] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.fleet.agent.queryKey({ id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.fleet.overview.queryKey() });
  };
  const rotate = useMutation(
    trpc.agents.rotateKey.mutationOptions({
      onSuccess: (r) => {
        setNewKey(r.key);
        setMessage({ tone: "ok", text: "New key issued; the old one no longer works." });
      },
      onError: (e) => setMessage({ tone: "error", text: `Could not rotate the key: ${e.message}` }),
      onSettled: refresh,
    }),
  );
  const revoke = useMutation(
    trpc.agents.revokeKey.mutationOptions({
      onSuccess: () => {
        setNewKey(null);
        setMessage({ tone: "ok", text: "Key revoked: the agent's calls now get 401 until you issue a new key." });
      },
      onError: (e) => setMessage({ tone: "error", text: `Could not revoke the key: ${e.message}` }),
      onSettled: refresh,
    }),
  );
  const pin = useMutation(
    trpc.tiers.setPin.mutationOptions({
      onError: (e) => setMessage({ tone: "error", text: `Could not change the pin: ${e.message}` }),
      onSettled: () => {
        refresh();
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.board.queryKey() });
      },
    }),
  );
  const points = useMemo(
    // The 30 days end today (the server's UTC day when it read): that day is partial.
    () => (query.data ? dailySeries(query.data.byDayLane, query.data.from, query.data.to, query.data.to) : []),
    [query.data],
  );

  if (query.isPending) return <LoadingBlock label="the agent" />;
  if (query.isError) {
    return (
      <div className="space-y-4">
        <PageTitle title="Agent" />
        <div
          role="alert"
          className="rounded border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {query.error.message}.{" "}
          <Link href="/" className="underline">
            Back to the fleet
          </Link>
        </div>
      </div>
    );
  }
  const { agent, taskTypes, recentTurns } = query.data;
  const week = points.slice(-7);
  const weekTurns = week.reduce((n, p) => n + (p.totalTurns ?? 0), 0);
  const weekLocal = week.reduce(
    (n, p) => n + (p.turns.local ?? 0) + (p.turns.local_careful ?? 0) + (p.turns.sidecar ?? 0),
    0,
  );
  const weekRows = query.data.byDayLane.filter((r) => r.day >= (week[0]?.day ?? ""));
  // Metered by the gateway, and apart from it what the agent reported spending itself.
  const weekCost = weekRows.reduce((n, r) => n + r.costMicroUsd - r.reportedCostMicroUsd, 0n);
  const weekReported = weekRows.reduce((n, r) => n + r.reportedCostMicroUsd, 0n);
  const weekReportedTurns = weekRows.reduce((n, r) => n + r.reportedTurns, 0);
  const chartData = points.map((p) => ({
    day: p.day,
    partial: p.partial,
    label: p.day.slice(5),
    ...Object.fromEntries(LANES.map((l) => [l, p.turns[l]])),
  }));
  const todayLabel = partialDayLabel(points, (p) => p.day.slice(5));
  const currentPin = (pin.isPending && pin.variables ? pin.variables.pin : agent.pin) as Pin;

  return (
    <div className="space-y-6">
      <div>
        <Link href="/" className="text-sm text-zinc-500 hover:underline">
          ← Fleet
        </Link>
        <PageTitle
          title={agent.name}
          subtitle={
            <>
              {`${agent.id}${agent.role ? ` · ${agent.role}` : ""} · ${agent.localModel} / ${agent.claudeModel} · heartbeat every ${agent.heartbeatMinutes} min, ${agent.activeHours} h a day · last seen `}
              <Ago at={agent.lastSeenAt} />
            </>
          }
        />
      </div>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`rounded border px-3 py-2 text-sm ${message.tone === "error" ? "border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200" : "border-green-300 bg-green-50 text-green-800 dark:border-green-800 dark:bg-green-950 dark:text-green-200"}`}
        >
          {message.text}
        </p>
      ) : null}
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Turns, 7 days" value={formatCount(weekTurns)} />
        <Stat label="Served locally" value={formatShare(weekLocal, weekTurns)} />
        <Stat
          label="Cost, 7 days"
          value={formatMicroUsd(weekCost)}
          hint={
            weekReportedTurns > 0 ? (
              <span data-testid="reported-spend">
                metered; plus {formatMicroUsd(weekReported)} reported by the agent in {formatCount(weekReportedTurns)}{" "}
                turns, not metered
              </span>
            ) : undefined
          }
        />
        <Card>
          <label className="text-xs font-medium uppercase tracking-wide text-zinc-500" htmlFor="agent-pin">
            Pin
          </label>
          <select
            id="agent-pin"
            value={currentPin}
            onChange={(e) => pin.mutate({ id: agent.id, pin: e.target.value as Pin })}
            className="mt-2 w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {PINS.map((p) => (
              <option key={p} value={p}>
                {PIN_LABEL[p]}
              </option>
            ))}
          </select>
        </Card>
      </div>
      <AgentLimits id={agent.id} />
      <Card>
        <h2 className="font-semibold">Turns a day by lane, 30 days</h2>
        <div data-chart="agent-turns" className="mt-3 h-56 text-xs text-zinc-500">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chartData}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
              <XAxis dataKey="label" stroke="currentColor" minTickGap={16} />
              <YAxis stroke="currentColor" />
              {partialDayBand(todayLabel)}
              <Tooltip labelFormatter={tooltipDayLabel} />
              <Legend />
              {LANES.map((l) => (
                <Bar
                  key={l}
                  dataKey={l}
                  name={LANE_LABEL[l]}
                  stackId="l"
                  fill={LANE_COLOR[l]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="font-semibold">Most frequent task types, 7 days</h2>
          {taskTypes.length === 0 ? (
            <p className="mt-2 text-sm text-zinc-500">No turns in the last 7 days.</p>
          ) : (
            <table className="mt-2 w-full text-sm">
              <tbody>
                {taskTypes.map((t) => (
                  <tr key={t.id} className="border-t border-zinc-100 dark:border-zinc-800">
                    <td className="py-1">{t.name}</td>
                    <td className="py-1 text-right tabular-nums">{formatCount(t.turns)}</td>
                    <td className="py-1 text-right tabular-nums">{formatShare(t.localTurns, t.turns)} local</td>
                    <td className="py-1 text-right tabular-nums">{formatMicroUsd(t.costMicroUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card>
          <h2 className="font-semibold">API key</h2>
          <p className="mt-1 text-sm">
            {agent.keyActive ? (
              <>
                Active, begins <code>{agent.keyPrefix}…</code>
              </>
            ) : (
              "Revoked: no key works for this agent."
            )}
          </p>
          {newKey ? (
            <div className="mt-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950">
              New key, shown once:{" "}
              <code data-testid="new-key" className="break-all">
                {newKey}
              </code>
            </div>
          ) : null}
          <div className="mt-3 flex gap-2">
            <button
              type="button"
              disabled={rotate.isPending}
              onClick={() => rotate.mutate({ id: agent.id })}
              className="rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              {agent.keyActive ? "Rotate key" : "Issue a new key"}
            </button>
            {agent.keyActive ? (
              <button
                type="button"
                disabled={revoke.isPending}
                onClick={() => {
                  if (window.confirm(`Revoke ${agent.name}'s key? Its calls fail until you issue a new one.`))
                    revoke.mutate({ id: agent.id });
                }}
                className="rounded border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
              >
                Revoke key
              </button>
            ) : null}
          </div>
        </Card>
      </div>
      <Card className="overflow-x-auto p-0">
        <h2 className="px-4 pt-4 font-semibold">Recent turns</h2>
        {recentTurns.length === 0 ? (
          <p className="p-4 text-sm text-zinc-500">No turns yet.</p>
        ) : (
          <table className="mt-2 w-full min-w-[760px] text-sm">
            <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-4 py-2">When</th>
                <th className="px-4 py-2">Lane</th>
                <th className="px-4 py-2">Task type</th>
                <th className="px-4 py-2">Model</th>
                <th className="px-4 py-2 text-right">Tokens in/out</th>
                <th className="px-4 py-2 text-right">Latency</th>
                <th className="px-4 py-2 text-right">Cost</th>
                <th className="px-4 py-2">Status</th>
              </tr>
            </thead>
            <tbody>
              {recentTurns.map((t) => (
                <tr
                  key={t.id}
                  data-turn-id={t.id}
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                  title={t.reason ?? undefined}
                >
                  <td className="px-4 py-1.5 tabular-nums">
                    {new Date(t.startedAt).toISOString().slice(5, 19).replace("T", " ")}
                  </td>
                  <td className="px-4 py-1.5">
                    <Badge tone={t.lane}>{LANE_LABEL[t.lane]}</Badge>
                  </td>
                  <td className="px-4 py-1.5">{t.taskTypeId ?? "–"}</td>
                  <td className="px-4 py-1.5 text-xs">
                    {t.requestedModel !== t.servedModel ? (
                      <span title={`asked for ${t.requestedModel}, served by ${t.servedModel}`}>
                        <span className="text-zinc-500">{t.requestedModel} →</span> {t.servedModel}
                      </span>
                    ) : (
                      t.servedModel
                    )}
                  </td>
                  <td className="px-4 py-1.5 text-right tabular-nums">
                    {formatCount(t.inputTokens)} / {formatCount(t.outputTokens)}
                  </td>
                  <td className="px-4 py-1.5 text-right tabular-nums">
                    {formatCount(t.latencyMs)} ms
                    {t.loadMs && t.loadMs > 1000 ? <span className="text-amber-600"> (cold load)</span> : null}
                  </td>
                  <td className="px-4 py-1.5 text-right tabular-nums">{formatMicroUsd(t.costMicroUsd)}</td>
                  <td className="px-4 py-1.5">
                    <span
                      className={
                        t.status === "error" ? "text-red-600" : t.status === "escalated" ? "text-amber-600" : ""
                      }
                    >
                      {t.status}
                    </span>
                    {t.status === "escalated" ? <span className="text-xs text-zinc-500"> → Claude</span> : null}
                    {t.escalatedFromTurnId ? <span className="text-xs text-zinc-500"> (escalation)</span> : null}
                    {t.errorMessage ? <div className="text-xs text-zinc-500">{t.errorMessage}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
