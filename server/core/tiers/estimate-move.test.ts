import { describe, expect, it } from "vitest";
import { estimateMove, type LaneUsage } from "./estimate-move";

const heartbeat: LaneUsage = {
  turnsPerDay: 480,
  costPerDayMicroUsd: 4_800n,
  counterfactualPerDayMicroUsd: 2_520_000n,
  localTurns: 3_360,
  localCostMicroUsd: 33_600n,
  escalatedTurns: 0,
};
const fleet = { localCostPerTurnMicroUsd: 20n };

describe("estimateMove", () => {
  it("prices a move to Claude at the counterfactual and says what it adds", () => {
    const e = estimateMove(heartbeat, "claude", fleet);
    expect(e.costPerDayMicroUsd).toBe(2_520_000n);
    expect(e.changePerDayMicroUsd).toBe(2_515_200n);
  });

  it("prices a move to local from the subject's own local turns, else the fleet's", () => {
    expect(estimateMove(heartbeat, "local", fleet).costPerDayMicroUsd).toBe(4_800n);
    const review: LaneUsage = {
      turnsPerDay: 10,
      costPerDayMicroUsd: 500_000n,
      counterfactualPerDayMicroUsd: 500_000n,
      localTurns: 0,
      localCostMicroUsd: 0n,
      escalatedTurns: 0,
    };
    const e = estimateMove(review, "local", fleet);
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
    expect(estimateMove(parsing, "local_careful", fleet).costPerDayMicroUsd).toBe(1_000n + 100_000n);
  });

  it("is zero for a sidecar or a subject without turns", () => {
    expect(estimateMove(heartbeat, "sidecar", fleet).changePerDayMicroUsd).toBe(-4_800n);
    const idle: LaneUsage = {
      turnsPerDay: 0,
      costPerDayMicroUsd: 0n,
      counterfactualPerDayMicroUsd: 0n,
      localTurns: 0,
      localCostMicroUsd: 0n,
      escalatedTurns: 0,
    };
    expect(estimateMove(idle, "claude", fleet)).toMatchObject({ costPerDayMicroUsd: 0n, changePerDayMicroUsd: 0n });
  });
});
