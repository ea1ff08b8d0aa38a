"use client";
// The fleet's daily Claude budget alert, above every dashboard page: at 80% of the budget a warning,
// at 100% over. Nothing shows without a fleet budget (the fleetDailyBudgetUsd setting, set on the
// Fleet page) or below 80%. Polled every 30 s; an unauthenticated page simply shows nothing.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { formatMicroUsd } from "@/server/core/money";
import { formatWait } from "./budget-format";

export function BudgetAlert() {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.agents.budgets.queryOptions(), refetchInterval: 30_000, retry: false });
  const fleet = data?.fleet;
  if (!data || !fleet || fleet.alert.level === "none" || fleet.budgetMicroUsd === null) return null;
  const over = fleet.alert.level === "over";
  const overAgents = data.agents.filter((a) => a.alert.level === "over").length;
  return (
    <div
      role="alert"
      data-testid="fleet-budget-alert"
      data-level={fleet.alert.level}
      className={`mb-4 rounded-lg border px-4 py-3 text-sm ${over ? "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100" : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"}`}
    >
      <strong className="font-semibold">
        {over ? "Over the fleet's daily Claude budget" : "The fleet is near its daily Claude budget"}:
      </strong>{" "}
      {formatMicroUsd(fleet.spentMicroUsd)} of {formatMicroUsd(fleet.budgetMicroUsd)} spent today (
      {Math.round(fleet.alert.share * 100)}%, UTC day; it starts again in {formatWait(data.resetsInSeconds)}).
      {overAgents
        ? ` ${overAgents} agent${overAgents === 1 ? " is" : "s are"} over ${overAgents === 1 ? "its" : "their"} own budget.`
        : ""}{" "}
      The fleet budget alerts only; agents&rsquo; own budgets refuse or downgrade their Claude turns.{" "}
      <Link href="/#budgets" className="font-medium underline">
        Budgets
      </Link>
    </div>
  );
}
