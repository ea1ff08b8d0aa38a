// What moving a task type's work to another lane would change in daily cost, from what its turns
// cost over the last days. Pure: the figures are passed in, in integer micro-dollars.
import type { Lane } from "@/server/core/lanes";

export type LaneUsage = {
  /** Turns a day on average over the window. */
  turnsPerDay: number;
  /** What those turns cost a day, as served. */
  costPerDayMicroUsd: bigint;
  /** What they would have cost a day on Claude. */
  counterfactualPerDayMicroUsd: bigint;
  /** Turns of this subject served locally over the window, their cost, and how many were escalated. */
  localTurns: number;
  localCostMicroUsd: bigint;
  escalatedTurns: number;
};

export type FleetLocalRate = {
  /** Average cost of one local turn across the fleet (electricity), used when the subject has no local history. */
  localCostPerTurnMicroUsd: bigint;
};

const round = (n: number) => BigInt(Math.round(n));

/** The estimated daily cost of a subject's turns if they were served in `lane`. */
export function estimateLaneCost(
  usage: LaneUsage,
  lane: Lane,
  fleet: FleetLocalRate,
): { costPerDayMicroUsd: bigint; basis: string } {
  if (usage.turnsPerDay <= 0) return { costPerDayMicroUsd: 0n, basis: "no turns recorded in the window" };
  if (lane === "claude")
    return { costPerDayMicroUsd: usage.counterfactualPerDayMicroUsd, basis: "its turns priced at Claude's rates" };
  if (lane === "sidecar") return { costPerDayMicroUsd: 0n, basis: "a script, no model" };
  const ownRate = usage.localTurns > 0;
  const perTurn = ownRate ? Number(usage.localCostMicroUsd) / usage.localTurns : Number(fleet.localCostPerTurnMicroUsd);
  const local = perTurn * usage.turnsPerDay;
  if (lane === "local")
    return {
      costPerDayMicroUsd: round(local),
      basis: ownRate ? "its own local turns' electricity" : "the fleet's average local turn",
    };
  // Local with care: what fails the check also runs on Claude.
  const escalationShare = ownRate ? usage.escalatedTurns / usage.localTurns : 0;
  const claudePerTurn = Number(usage.counterfactualPerDayMicroUsd) / usage.turnsPerDay;
  return {
    costPerDayMicroUsd: round(local + escalationShare * usage.turnsPerDay * claudePerTurn),
    basis: ownRate
      ? `local electricity plus ${Math.round(escalationShare * 100)}% escalated to Claude`
      : "the fleet's average local turn, no escalations seen yet",
  };
}
