"use client";
// The seed's projection with the operator's assumptions as inputs, and the same projection from
// what the fleet measured over its last 7 complete days.
import { useState } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import {
  parseUsdToMicro,
  projectFleet,
  ProjectionInputError,
  type ScenarioProjection,
} from "@/server/core/projection/project-fleet";

const range = (low: bigint, high: bigint) =>
  low === high ? formatMicroUsd(low) : `${formatMicroUsd(low)}–${formatMicroUsd(high).replace("$", "")}`;

function ScenarioTable({ scenarios, caption }: { scenarios: ScenarioProjection[]; caption: string }) {
  return (
    <table className="mt-3 w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-left text-xs uppercase tracking-wide text-zinc-500">
        <tr>
          <th className="py-1">Scenario</th>
          <th className="py-1 text-right">Claude turns/day</th>
          <th className="py-1 text-right">Per day</th>
          <th className="py-1 text-right">Per month</th>
          <th className="py-1 text-right">Saved/day</th>
        </tr>
      </thead>
      <tbody>
        {scenarios.map((s) => (
          <tr key={s.id} data-scenario={s.id} className="border-t border-zinc-100 dark:border-zinc-800">
            <td className="py-1">{s.label}</td>
            <td className="py-1 text-right tabular-nums">{formatCount(Math.round(s.claudeTurnsPerDay))}</td>
            <td className="py-1 text-right tabular-nums" data-col="daily">
              {range(s.dailyLowMicroUsd, s.dailyHighMicroUsd)}
            </td>
            <td className="py-1 text-right tabular-nums" data-col="monthly">
              {range(s.monthlyLowMicroUsd, s.monthlyHighMicroUsd)}
            </td>
            <td className="py-1 text-right tabular-nums">{range(s.savedDailyLowMicroUsd, s.savedDailyHighMicroUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NumberField({
  label,
  value,
  onChange,
  step,
  name,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  step?: string;
  name: string;
}) {
  return (
    <label className="text-xs">
      <span className="block text-zinc-500">{label}</span>
      <input
        name={name}
        inputMode="decimal"
        value={value}
        step={step}
        onChange={(e) => onChange(e.target.value)}
        className="mt-1 w-24 rounded border border-zinc-300 bg-white px-2 py-1 text-sm tabular-nums dark:border-zinc-700 dark:bg-zinc-900"
      />
    </label>
  );
}

export function ProjectionPanel() {
  const trpc = useTRPC();
  const { data: settings } = useSuspenseQuery(trpc.system.settings.queryOptions());
  const { data: measured } = useSuspenseQuery(trpc.fleet.measuredProjection.queryOptions());
  const [form, setForm] = useState({
    agents: String(settings.projectionAgents),
    heartbeatMinutes: String(settings.projectionHeartbeatMinutes),
    activeHours: String(settings.projectionActiveHours),
    low: settings.projectionTurnCostLowUsd.toFixed(2),
    high: settings.projectionTurnCostHighUsd.toFixed(2),
  });
  const set = (key: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [key]: v }));

  let result: ReturnType<typeof projectFleet> | null = null;
  let error: string | null = null;
  const low = parseUsdToMicro(form.low);
  const high = parseUsdToMicro(form.high);
  if (low === null) error = "cost per turn (low): a dollar amount such as 0.02";
  else if (high === null) error = "cost per turn (high): a dollar amount such as 0.05";
  else {
    try {
      result = projectFleet({
        agents: Number(form.agents),
        heartbeatMinutes: Number(form.heartbeatMinutes),
        activeHours: Number(form.activeHours),
        turnCostLow: low,
        turnCostHigh: high,
      });
    } catch (e) {
      error = e instanceof ProjectionInputError ? e.message : String(e);
    }
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card>
        <h2 className="font-semibold">Projection from assumptions</h2>
        <p className="text-xs text-zinc-500">
          Heartbeat turns a day from the fleet&apos;s shape, and Claude spend if tiers 1 and 2 go local. Defaults from
          the settings.
        </p>
        <div className="mt-3 flex flex-wrap gap-3">
          <NumberField name="agents" label="Agents" value={form.agents} onChange={set("agents")} />
          <NumberField
            name="heartbeatMinutes"
            label="Heartbeat (min)"
            value={form.heartbeatMinutes}
            onChange={set("heartbeatMinutes")}
          />
          <NumberField
            name="activeHours"
            label="Active hours/day"
            value={form.activeHours}
            onChange={set("activeHours")}
          />
          <NumberField name="low" label="Cost/turn low ($)" value={form.low} onChange={set("low")} />
          <NumberField name="high" label="Cost/turn high ($)" value={form.high} onChange={set("high")} />
        </div>
        {error ? (
          <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        ) : result ? (
          <>
            <p className="mt-3 text-sm">
              <span className="text-2xl font-semibold tabular-nums" data-testid="projected-turns">
                {formatCount(Math.round(result.turnsPerDay * 100) / 100)}
              </span>{" "}
              turns/day
            </p>
            <ScenarioTable scenarios={result.scenarios} caption="Projection from assumptions" />
          </>
        ) : null}
      </Card>
      <Card>
        <h2 className="font-semibold">Projection from the fleet&apos;s last 7 days</h2>
        <p className="text-xs text-zinc-500">
          Measured {measured.from} to {measured.to} (UTC, complete days with turns: {measured.days}).
        </p>
        {measured.turnsPerDay === 0 ? (
          <p className="mt-3 text-sm text-zinc-500">No turns in those days yet.</p>
        ) : (
          <>
            <p className="mt-3 text-sm">
              <span className="text-2xl font-semibold tabular-nums">
                {formatCount(Math.round(measured.turnsPerDay))}
              </span>{" "}
              turns/day · {Math.round(measured.localShare * 100)}% served locally ·{" "}
              {formatMicroUsd(measured.claudeTurnCostMicroUsd)} per turn on Claude
            </p>
            <dl className="mt-3 grid grid-cols-2 gap-2 text-sm">
              <dt className="text-zinc-500">Actual, per month</dt>
              <dd className="text-right tabular-nums" data-testid="measured-monthly">
                {formatMicroUsd(measured.actualMonthlyMicroUsd)}
              </dd>
              <dt className="text-zinc-500">All-Claude, per day</dt>
              <dd className="text-right tabular-nums">{formatMicroUsd(measured.allClaudeDailyMicroUsd)}</dd>
              <dt className="text-zinc-500">Saved, per month</dt>
              <dd className="text-right tabular-nums">{formatMicroUsd(measured.savedMonthlyMicroUsd)}</dd>
            </dl>
            <ScenarioTable scenarios={measured.scenarios} caption="Projection from measured usage" />
          </>
        )}
      </Card>
    </div>
  );
}
