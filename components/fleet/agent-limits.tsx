"use client";
// An agent's limits on its page: today's Claude spend (UTC day, metered by the gateway) against its
// daily budget, and the form that sets the budget (USD; empty: none), its requests per minute (empty:
// no limit) and what happens to its Claude turns over budget (refused with a 429, or served by its
// local model). A refused value shows under its field, named, and nothing is stored.
import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { inputClass, primaryButtonClass } from "@/components/settings/settings-section";
import { formatMicroUsd, microUsdToNumber } from "@/server/core/money";
import { OVER_BUDGET_ACTIONS, type OverBudgetAction } from "@/server/core/budgets/budget-rules";
import { ALERT_BAR, formatWait } from "./budget-format";

type Field = "dailyBudgetUsd" | "requestsPerMinute" | "overBudget";
type Draft = { dailyBudgetUsd: string; requestsPerMinute: string; overBudget: OverBudgetAction };

const OVER_BUDGET_LABEL: Record<OverBudgetAction, string> = {
  refuse: "refuse (429 until midnight UTC)",
  downgrade: "downgrade to the local model",
};

/** A number field's text as a value: empty is null (no limit); else the number, or why not. */
function readNumber(text: string): { value: number | null } | { error: string } {
  const t = text
    .trim()
    .replace(/^\$/, "")
    .replace(/[,_\s]/g, "");
  if (t === "") return { value: null };
  const n = Number(t);
  return Number.isFinite(n) ? { value: n } : { error: "enter a number, or leave it empty for none" };
}

export function AgentLimits({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const { data } = useQuery(trpc.agents.budgets.queryOptions());
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const update = useMutation(
    trpc.agents.updateLimits.mutationOptions({
      onSuccess: () => {
        setDraft(null);
        setSaved("Saved: the agent's next turn follows these limits.");
      },
      onError: (e) => {
        const field = (e.data as { field?: string | null } | undefined)?.field as Field | undefined;
        const text = e.message.replace(/^[a-zA-Z]+: /, "");
        setErrors(field ? { [field]: text } : { dailyBudgetUsd: e.message });
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.agents.budgets.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
      },
    }),
  );
  const agent = data?.agents.find((a) => a.id === id);
  if (!data || !agent) return null;
  const current: Draft = {
    dailyBudgetUsd: agent.budgetMicroUsd === null ? "" : String(microUsdToNumber(agent.budgetMicroUsd)),
    requestsPerMinute: agent.requestsPerMinute === null ? "" : String(agent.requestsPerMinute),
    overBudget: agent.overBudget,
  };
  const shown = draft ?? current;
  const edit = (patch: Partial<Draft>) => {
    setDraft({ ...shown, ...patch });
    setSaved(null);
    setErrors({});
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const budget = readNumber(shown.dailyBudgetUsd);
    const rpm = readNumber(shown.requestsPerMinute);
    const problems: Partial<Record<Field, string>> = {};
    if ("error" in budget) problems.dailyBudgetUsd = budget.error;
    if ("error" in rpm) problems.requestsPerMinute = rpm.error;
    setErrors(problems);
    if ("error" in budget || "error" in rpm) return;
    update.mutate({
      id,
      dailyBudgetUsd: budget.value,
      requestsPerMinute: rpm.value,
      overBudget: shown.overBudget,
    });
  };
  const fieldError = (field: Field) =>
    errors[field] ? (
      <span role="alert" id={`${formId}-${field}-error`} className="mt-1 block text-xs text-red-700 dark:text-red-300">
        {field}: {errors[field]}
      </span>
    ) : null;

  return (
    <Card>
      <div id="limits" className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="font-semibold">Claude budget and rate limit</h2>
        <span className="text-xs text-zinc-500">
          today {data.day} (UTC), starts again in {formatWait(data.resetsInSeconds)}
        </span>
      </div>
      <p className="mt-2 text-sm" data-testid="agent-budget">
        Spent on Claude today: <strong className="tabular-nums">{formatMicroUsd(agent.spentMicroUsd)}</strong>
        {agent.budgetMicroUsd === null ? (
          <span className="text-zinc-500"> · no daily budget</span>
        ) : (
          <>
            {" "}
            of {formatMicroUsd(agent.budgetMicroUsd)} ({Math.round(agent.alert.share * 100)}%)
            {agent.alert.level === "over" ? (
              <span className="ml-1 font-medium text-red-700 dark:text-red-300">
                over budget: its Claude turns are {agent.overBudget === "refuse" ? "refused" : "served locally"}
              </span>
            ) : null}
          </>
        )}
      </p>
      {agent.budgetMicroUsd !== null ? (
        <div className="mt-2 h-2 w-full overflow-hidden rounded bg-zinc-100 dark:bg-zinc-800" aria-hidden>
          <div
            className={`h-full ${ALERT_BAR[agent.alert.level]}`}
            style={{ width: `${Math.min(100, Math.round(agent.alert.share * 100))}%` }}
          />
        </div>
      ) : null}
      <form onSubmit={submit} className="mt-3 flex flex-wrap items-start gap-3">
        <label className="text-xs text-zinc-600 dark:text-zinc-400">
          Daily Claude budget, USD
          <input
            name="dailyBudgetUsd"
            inputMode="decimal"
            placeholder="none"
            value={shown.dailyBudgetUsd}
            onChange={(e) => edit({ dailyBudgetUsd: e.target.value })}
            aria-invalid={!!errors.dailyBudgetUsd}
            className={`${inputClass} mt-1 block w-28`}
          />
          {fieldError("dailyBudgetUsd")}
        </label>
        <label className="text-xs text-zinc-600 dark:text-zinc-400">
          Requests per minute
          <input
            name="requestsPerMinute"
            inputMode="numeric"
            placeholder="no limit"
            value={shown.requestsPerMinute}
            onChange={(e) => edit({ requestsPerMinute: e.target.value })}
            aria-invalid={!!errors.requestsPerMinute}
            className={`${inputClass} mt-1 block w-28`}
          />
          {fieldError("requestsPerMinute")}
        </label>
        <label className="text-xs text-zinc-600 dark:text-zinc-400">
          Over budget
          <select
            name="overBudget"
            value={shown.overBudget}
            onChange={(e) => edit({ overBudget: e.target.value as OverBudgetAction })}
            className={`${inputClass} mt-1 block`}
          >
            {OVER_BUDGET_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {OVER_BUDGET_LABEL[a]}
              </option>
            ))}
          </select>
          {fieldError("overBudget")}
        </label>
        <button type="submit" disabled={update.isPending} className={`${primaryButtonClass} mt-5`}>
          Save limits
        </button>
      </form>
      {saved ? (
        <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-300">
          {saved}
        </p>
      ) : null}
      <p className="mt-2 text-xs text-zinc-500">
        The budget is checked before a turn goes to Claude, so the turn that crosses it is still served. Local turns of
        an over-budget agent never escalate to Claude.
      </p>
    </Card>
  );
}
