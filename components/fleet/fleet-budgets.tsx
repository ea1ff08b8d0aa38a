"use client";
// The Fleet page's budgets: today's Claude spend (UTC day, metered by the gateway) against the fleet's
// daily budget, which the operator sets here (an audited setting, fleetDailyBudgetUsd; 0: none; the
// dashboard alerts at 80% and 100%), and each agent's spend against its own budget, with its limits.
import Link from "next/link";
import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { inputClass, primaryButtonClass } from "@/components/settings/settings-section";
import { formatMicroUsd, microUsdToNumber } from "@/server/core/money";
import { usdToMicroUsd } from "@/server/core/budgets/budget-rules";
import { ALERT_BAR, formatWait } from "./budget-format";

function Bar({ share, level }: { share: number; level: "none" | "warning" | "over" }) {
  return (
    <div className="h-2 w-full overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800" aria-hidden>
      <div className={`h-full ${ALERT_BAR[level]}`} style={{ width: `${Math.min(100, Math.round(share * 100))}%` }} />
    </div>
  );
}

export function FleetBudgets() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const { data } = useQuery(trpc.agents.budgets.queryOptions());
  const [draft, setDraft] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const save = useMutation(
    trpc.system.updateSettings.mutationOptions({
      onSuccess: (r) => {
        setDraft(null);
        const usd = r.settings.fleetDailyBudgetUsd;
        setMessage({
          tone: "ok",
          text: usd > 0 ? `Fleet budget set to ${formatMicroUsd(usdToMicroUsd(usd))} a day.` : "Fleet budget removed.",
        });
      },
      onError: (e) => setMessage({ tone: "error", text: e.message }),
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.agents.budgets.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settings.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settingChanges.queryKey() });
      },
    }),
  );
  if (!data) return null;
  const { fleet } = data;
  const stored = fleet.budgetMicroUsd === null ? "0" : String(microUsdToNumber(fleet.budgetMicroUsd));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const text = (draft ?? stored).trim().replace(/^\$/, "");
    const usd = Number(text);
    if (text === "" || !Number.isFinite(usd))
      return setMessage({ tone: "error", text: "fleetDailyBudgetUsd: enter a number of USD (0: no fleet budget)" });
    setMessage(null);
    save.mutate({ fleetDailyBudgetUsd: usd, note: "set on the Fleet page" });
  };
  const withBudget = data.agents.filter((a) => a.budgetMicroUsd !== null || a.requestsPerMinute !== null);

  return (
    <Card className="scroll-mt-4">
      <div id="budgets" className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="font-semibold">Claude budgets today</h2>
        <span className="text-xs text-zinc-500">
          {data.day} (UTC), starts again in {formatWait(data.resetsInSeconds)}
        </span>
      </div>
      <div className="mt-3 grid gap-4 md:grid-cols-2">
        <div data-testid="fleet-budget">
          <div className="text-sm">
            Fleet: <strong className="tabular-nums">{formatMicroUsd(fleet.spentMicroUsd)}</strong>
            {fleet.budgetMicroUsd === null ? (
              <span className="text-zinc-500"> spent on Claude today · no fleet budget</span>
            ) : (
              <>
                {" "}
                of <span className="tabular-nums">{formatMicroUsd(fleet.budgetMicroUsd)}</span> (
                {Math.round(fleet.alert.share * 100)}%)
              </>
            )}
          </div>
          {fleet.budgetMicroUsd !== null ? (
            <div className="mt-2">
              <Bar share={fleet.alert.share} level={fleet.alert.level} />
            </div>
          ) : null}
          <form onSubmit={submit} className="mt-3 flex flex-wrap items-end gap-2">
            <label htmlFor={inputId} className="text-xs text-zinc-600 dark:text-zinc-400">
              Fleet daily budget, USD
              <input
                id={inputId}
                name="fleetDailyBudgetUsd"
                inputMode="decimal"
                value={draft ?? stored}
                onChange={(e) => setDraft(e.target.value)}
                className={`${inputClass} mt-1 block w-28`}
                aria-describedby={`${inputId}-help`}
              />
            </label>
            <button type="submit" disabled={save.isPending} className={primaryButtonClass}>
              Save
            </button>
          </form>
          <p id={`${inputId}-help`} className="mt-1 text-xs text-zinc-500">
            0: none. Every page warns at 80% and at 100%; it alerts, it does not stop turns.
          </p>
          {message ? (
            <p
              role={message.tone === "error" ? "alert" : "status"}
              className={`mt-2 text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
            >
              {message.text}
            </p>
          ) : null}
        </div>
        <div>
          <div className="text-sm">Agents&rsquo; own limits</div>
          {withBudget.length === 0 ? (
            <p className="mt-1 text-xs text-zinc-500">
              No agent has a daily Claude budget or a request limit. Set them on an agent&rsquo;s page or with{" "}
              <code>offload agents update &lt;id&gt; --budget-usd 5 --rpm 60</code>.
            </p>
          ) : (
            <table className="mt-1 w-full text-sm">
              <tbody>
                {withBudget.map((a) => (
                  <tr key={a.id} data-budget-agent={a.id} className="border-t border-zinc-100 dark:border-zinc-800">
                    <td className="py-1 pr-2">
                      <Link href={`/agents/${encodeURIComponent(a.id)}`} className="hover:underline">
                        {a.name}
                      </Link>
                    </td>
                    <td className="w-32 py-1 pr-2">
                      {a.budgetMicroUsd !== null ? <Bar share={a.alert.share} level={a.alert.level} /> : null}
                    </td>
                    <td className="py-1 pr-2 text-right tabular-nums">
                      {formatMicroUsd(a.spentMicroUsd)}
                      {a.budgetMicroUsd !== null ? ` of ${formatMicroUsd(a.budgetMicroUsd)}` : ""}
                    </td>
                    <td className="py-1 text-right text-xs text-zinc-500">
                      {a.budgetMicroUsd !== null ? `${a.overBudget} over` : "no budget"}
                      {a.requestsPerMinute !== null ? ` · ${a.requestsPerMinute}/min` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </Card>
  );
}
