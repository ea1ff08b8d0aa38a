// The fleet's headline numbers and per-agent rows, from DailyUsage (never raw turns). Spend is
// what the gateway metered; what agents reported themselves (POST /api/v1/turns) is its own figure.
import type { Db } from "@/server/db/client";
import { listAgents, type AgentSummary } from "@/server/agents/manage-agents";
import { utcDay } from "@/server/core/turn-record";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";

export type UsageTotals = {
  /** Every turn, reported ones included. */
  turns: number;
  localTurns: number;
  claudeTurns: number;
  /** Metered by the gateway (reported turns left out). */
  claudeSpendMicroUsd: bigint;
  localCostMicroUsd: bigint;
  /** Turns agents reported themselves and what they say those cost (any lane): not metered. */
  reportedTurns: number;
  reportedCostMicroUsd: bigint;
  /** What all turns, reported ones included, would have cost on Claude. */
  counterfactualMicroUsd: bigint;
  unpricedTurns: number;
};

export type FleetAgentRow = AgentSummary & {
  today: UsageTotals;
  last7Days: UsageTotals;
  /** Days the 7-day window has observed this agent (today's partial day counts; at least 1). */
  daysObserved: number;
  turnsPerDay: number;
  /** Metered Claude spend plus local electricity, per day. */
  costPerDayMicroUsd: bigint;
  /** What the agent reported spending, per day (not metered). */
  reportedCostPerDayMicroUsd: bigint;
};

export type FleetOverview = {
  generatedAt: Date;
  today: UsageTotals;
  last7Days: UsageTotals;
  agents: FleetAgentRow[];
};

const emptyTotals = (): UsageTotals => ({
  turns: 0,
  localTurns: 0,
  claudeTurns: 0,
  claudeSpendMicroUsd: 0n,
  localCostMicroUsd: 0n,
  reportedTurns: 0,
  reportedCostMicroUsd: 0n,
  counterfactualMicroUsd: 0n,
  unpricedTurns: 0,
});

/** What all turns cost against what they would have cost on Claude: metered and reported spend both count. */
export function savedMicroUsd(t: UsageTotals): bigint {
  return t.counterfactualMicroUsd - t.claudeSpendMicroUsd - t.localCostMicroUsd - t.reportedCostMicroUsd;
}

type Row = {
  agentId: string;
  lane: string;
  isToday: boolean;
  turns: number;
  unpriced: number;
  /** Metered: the row's cost less what was reported. */
  cost: bigint;
  reportedTurns: number;
  reportedCost: bigint;
  counterfactual: bigint;
};

function add(t: UsageTotals, r: Row) {
  t.turns += r.turns;
  t.unpricedTurns += r.unpriced;
  t.counterfactualMicroUsd += r.counterfactual;
  t.reportedTurns += r.reportedTurns;
  t.reportedCostMicroUsd += r.reportedCost;
  if (r.lane === "claude") {
    t.claudeTurns += r.turns;
    t.claudeSpendMicroUsd += r.cost;
  } else {
    t.localTurns += r.turns;
    t.localCostMicroUsd += r.cost;
  }
}

export async function readFleetOverview(db: Db, now: Date = new Date()): Promise<FleetOverview> {
  const today = utcDay(now);
  const weekStart = utcDay(new Date(now.getTime() - 6 * 86_400_000));
  const [agents, rows] = await Promise.all([
    listAgents(db),
    db.sql.query<{
      agentId: string;
      lane: string;
      isToday: boolean;
      turns: string;
      unpriced: string;
      cost: string;
      reportedTurns: string;
      reportedCost: string;
      counterfactual: string;
    }>(
      `select "agentId", "lane"::text as lane, ("day" = $2::date) as "isToday",
              sum("turns")::bigint as turns, sum("unpricedTurns")::bigint as unpriced,
              sum("costMicroUsd")::bigint as cost, sum("counterfactualMicroUsd")::bigint as counterfactual,
              sum("reportedTurns")::bigint as "reportedTurns", sum("reportedCostMicroUsd")::bigint as "reportedCost"
       from "DailyUsage" where "day" >= $1::date and "day" <= $2::date
       group by 1, 2, 3`,
      [weekStart, today],
    ),
  ]);
  const overview: FleetOverview = { generatedAt: now, today: emptyTotals(), last7Days: emptyTotals(), agents: [] };
  const windowStart = new Date(`${weekStart}T00:00:00Z`);
  const perAgent = new Map<string, FleetAgentRow>(
    agents.map((a) => [
      a.id,
      {
        ...a,
        today: emptyTotals(),
        last7Days: emptyTotals(),
        daysObserved: daysObserved(windowStart, a.createdAt, now),
        turnsPerDay: 0,
        costPerDayMicroUsd: 0n,
        reportedCostPerDayMicroUsd: 0n,
      },
    ]),
  );
  for (const raw of rows) {
    const r: Row = {
      agentId: raw.agentId,
      lane: raw.lane,
      isToday: raw.isToday,
      turns: Number(raw.turns),
      unpriced: Number(raw.unpriced),
      cost: BigInt(raw.cost) - BigInt(raw.reportedCost),
      reportedTurns: Number(raw.reportedTurns),
      reportedCost: BigInt(raw.reportedCost),
      counterfactual: BigInt(raw.counterfactual),
    };
    const agent = perAgent.get(r.agentId);
    add(overview.last7Days, r);
    if (agent) add(agent.last7Days, r);
    if (r.isToday) {
      add(overview.today, r);
      if (agent) add(agent.today, r);
    }
  }
  for (const agent of perAgent.values()) {
    agent.turnsPerDay = perDay(agent.last7Days.turns, agent.daysObserved);
    agent.costPerDayMicroUsd = microUsdPerDay(
      agent.last7Days.claudeSpendMicroUsd + agent.last7Days.localCostMicroUsd,
      agent.daysObserved,
    );
    agent.reportedCostPerDayMicroUsd = microUsdPerDay(agent.last7Days.reportedCostMicroUsd, agent.daysObserved);
  }
  overview.agents = [...perAgent.values()];
  return overview;
}
