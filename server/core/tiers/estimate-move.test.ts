// The daily cost of a subject's turns in each lane, and what a move there would change.
import { describe, expect, it } from "vitest";
import { estimateLaneCost, type LaneUsage } from "./estimate-move";
import type { Lane } from "../lanes";

const heartbeat: LaneUsage = {
  turnsPerDay: 480,
  costPerDayMicroUsd: 4_800n,
  counterfactualPerDayMicroUsd: 2_520_000n,
  localTurns: 3_360,
  localCostMicroUsd: 33_600n,
  escalatedTurns: 0,
};
const fleet = { localCostPerTurnMicroUsd: 20n };
const estimateMove = (usage: LaneUsage, to: Lane) => {
  const target = estimateLaneCost(usage, to, fleet);
  // What the move changes a day: target minus today's cost, negative saves money.
  return { ...target, changePerDayMicroUsd: target.costPerDayMicroUsd - usage.costPerDayMicroUsd };
};

describe("estimateLaneCost", () => {
  it("prices a move to Claude at the counterfactual and says what it adds", () => {
    const e = estimateMove(heartbeat, "claude");
    expect(e.costPerDayMicroUsd).toBe(2_520_000n);
    expect(e.changePerDayMicroUsd).toBe(2_515_200n);
  });

  it("prices a move to local from the subject's own local turns, else the fleet's", () => {
    expect(estimateMove(heartbeat, "local").costPerDayMicroUsd).toBe(4_800n);
    const review: LaneUsage = {
      turnsPerDay: 10,
      costPerDayMicroUsd: 500_000n,
      counterfactualPerDayMicroUsd: 500_000n,
      localTurns: 0,
      localCostMicroUsd: 0n,
      escalatedTurns: 0,
    };
    const e = estimateMove(review, "local");
    expect(e.costPerDayMicroUsd).toBe(200n);
    expect(e.changePerDayMicroUsd).toBe(-499_800n);
    expect(e.basis).toContain("fleet");
  });

  it("adds the escalated share at Claude's rate for Local with care", () => {
    const parsing: LaneUsage = {
      turnsPerDay: 100,
      costPerDayMicroUsd: 0n,
      counterfactualPerDayMicroUsd: 1_000_000n,
      localTurns: 700,
      localCostMicroUsd: 7_000n,
      escalatedTurns: 70,
    };
    // 100 turns * 10 micro-dollars + 10% of 100 turns * 10,000 micro-dollars
    expect(estimateMove(parsing, "local_careful").costPerDayMicroUsd).toBe(1_000n + 100_000n);
  });

  it("is zero for a sidecar or a subject without turns", () => {
    expect(estimateMove(heartbeat, "sidecar").changePerDayMicroUsd).toBe(-4_800n);
    const idle: LaneUsage = {
      turnsPerDay: 0,
      costPerDayMicroUsd: 0n,
      counterfactualPerDayMicroUsd: 0n,
      localTurns: 0,
      localCostMicroUsd: 0n,
      escalatedTurns: 0,
    };
    expect(estimateMove(idle, "claude")).toMatchObject({ costPerDayMicroUsd: 0n, changePerDayMicroUsd: 0n });
  });
});
