// Budgets in the core, pure: a daily Claude budget (integer micro-dollars, the UTC day) is spent
// once today's Claude cost reaches it; the fleet's budget alerts at 80% and 100%; a refusal tells
// the agent when the day ends. Decided before a turn goes to Claude, when its cost is not known yet:
// the turn that crosses the budget is served, so one turn can overshoot it.
import { formatMicroUsd } from "../money";

/** The share of a daily budget at which the dashboard warns. */
export const ALERT_SHARE = 0.8;

/** What happens to an over-budget agent's Claude-lane turns (Agent.overBudget). */
export const OVER_BUDGET_ACTIONS = ["refuse", "downgrade"] as const;
export type OverBudgetAction = (typeof OVER_BUDGET_ACTIONS)[number];

/** Whole US dollars and cents as integer micro-dollars (rounded to the micro-dollar). */
export function usdToMicroUsd(usd: number): bigint {
  return BigInt(Math.round(usd * 1_000_000));
}

/** Whether an agent with this budget (null: none) may no longer send turns to Claude today. */
export function isOverBudget(spentMicroUsd: bigint, budgetMicroUsd: bigint | null): boolean {
  return budgetMicroUsd !== null && spentMicroUsd >= budgetMicroUsd;
}

export type BudgetAlert = {
  level: "none" | "warning" | "over";
  /** Spent / budget (0 when there is no budget). */
  share: number;
};

/** A budget's alert (the fleet's, or an agent's on the dashboard): a warning from 80%, over from 100% (a zero
 *  budget is always over); none without a budget. */
export function budgetAlert(spentMicroUsd: bigint, budgetMicroUsd: bigint | null): BudgetAlert {
  if (budgetMicroUsd === null) return { level: "none", share: 0 };
  if (budgetMicroUsd <= 0n) return { level: "over", share: 1 };
  // Basis points in bigint, then a number: no float sums of money.
  const share = Number((spentMicroUsd * 10_000n) / budgetMicroUsd) / 10_000;
  if (spentMicroUsd >= budgetMicroUsd) return { level: "over", share };
  if (share >= ALERT_SHARE) return { level: "warning", share };
  return { level: "none", share };
}

/** Whole seconds from `now` to the next UTC midnight, when today's budget starts again (at least 1). */
export function secondsToNextUtcDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** The first words of an over-budget refusal or downgrade: which agent, its budget and today's spend. */
export function overBudgetMessage(agentId: string, budgetMicroUsd: bigint, spentMicroUsd: bigint): string {
  return `agent ${agentId} is over its daily Claude budget of ${formatMicroUsd(budgetMicroUsd)} (spent ${formatMicroUsd(spentMicroUsd)} today, UTC)`;
}
