// The dashboard's view of budgets: the fleet's Claude spend today against its daily budget (the
// alert at 80% and 100%), and each agent's against its own, with its limits. Read afresh (a setting
// saved a moment ago shows at once), into the snapshot the gateway decides on, so the two agree.
import "server-only";
import type { Db } from "@/server/db/client";
import { budgetAlert, secondsToNextUtcDay, type BudgetAlert } from "@/server/core/budgets/budget-rules";
import type { OverBudgetAction } from "@/server/core/budgets/budget-rules";
import { fleetSpentToday, freshBudgetSnapshot, spentToday } from "./budget-ledger";

export type AgentBudget = {
  id: string;
  name: string;
  /** Daily Claude budget, micro-dollars; null: none. */
  budgetMicroUsd: bigint | null;
  /** Today's gateway-metered Claude cost (UTC day). */
  spentMicroUsd: bigint;
  alert: BudgetAlert;
  requestsPerMinute: number | null;
  overBudget: OverBudgetAction;
};

export type BudgetsOverview = {
  /** The UTC day (YYYY-MM-DD). */
  day: string;
  /** Seconds until the budgets start again (the next UTC midnight). */
  resetsInSeconds: number;
  fleet: { budgetMicroUsd: bigint | null; spentMicroUsd: bigint; alert: BudgetAlert };
  agents: AgentBudget[];
};

export async function readBudgets(db: Db, now = new Date()): Promise<BudgetsOverview> {
  const [snapshot, agents] = await Promise.all([
    freshBudgetSnapshot(db, now.getTime()),
    db.prisma.agent.findMany({ where: { removedAt: null }, select: { id: true, name: true }, orderBy: { id: "asc" } }),
  ]);
  const fleetSpent = fleetSpentToday(snapshot);
  return {
    day: snapshot.day,
    resetsInSeconds: secondsToNextUtcDay(now),
    fleet: {
      budgetMicroUsd: snapshot.fleetBudgetMicroUsd,
      spentMicroUsd: fleetSpent,
      alert: budgetAlert(fleetSpent, snapshot.fleetBudgetMicroUsd),
    },
    agents: agents.map((a) => {
      const limits = snapshot.limits.get(a.id);
      const budget = limits?.dailyBudgetMicroUsd ?? null;
      const spent = spentToday(snapshot, a.id);
      return {
        id: a.id,
        name: a.name,
        budgetMicroUsd: budget,
        spentMicroUsd: spent,
        alert: budgetAlert(spent, budget),
        requestsPerMinute: limits?.requestsPerMinute ?? null,
        overBudget: limits?.overBudget ?? "refuse",
      };
    }),
  };
}
