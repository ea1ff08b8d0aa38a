import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatMicroUsd } from "../money";
import { parseUsdToMicro, projectFleet, projectFromMeasured, ProjectionInputError } from "./project-fleet";

const seed = { agents: 5, heartbeatMinutes: 5, activeHours: 16, turnCostLow: 20_000n, turnCostHigh: 50_000n };

describe("projectFleet reproduces the seed's table to the cent", () => {
  const p = projectFleet(seed);
  const row = (id: string) => p.scenarios.find((s) => s.id === id)!;

  it("makes 960 turns a day", () => {
    expect(p.turnsPerDay).toBe(960);
  });

  it("all Claude: $19.20-48.00 a day", () => {
    expect(row("all-claude").dailyLowMicroUsd).toBe(19_200_000n);
    expect(row("all-claude").dailyHighMicroUsd).toBe(48_000_000n);
    expect(row("all-claude").savingShare).toBe(0);
  });

  it("Tier 1 offloaded (65%): $6.72-16.80, saving 65%", () => {
    expect(row("tier-1").dailyLowMicroUsd).toBe(6_720_000n);
    expect(row("tier-1").dailyHighMicroUsd).toBe(16_800_000n);
    expect(row("tier-1").claudeTurnsPerDay).toBe(336);
    expect(row("tier-1").savingShare).toBe(0.65);
    expect(row("tier-1").savedDailyLowMicroUsd).toBe(12_480_000n);
  });

  it("Tier 1+2 offloaded (80%): $3.84-9.60, saving 80%", () => {
    expect(formatMicroUsd(row("tier-1-2").dailyLowMicroUsd)).toBe("$3.84");
    expect(formatMicroUsd(row("tier-1-2").dailyHighMicroUsd)).toBe("$9.60");
    expect(row("tier-1-2").savingShare).toBe(0.8);
  });

  it("per month is 30 days", () => {
    expect(row("all-claude").monthlyLowMicroUsd).toBe(576_000_000n);
    expect(row("all-claude").monthlyHighMicroUsd).toBe(1_440_000_000n);
  });
});

describe("projectFleet input", () => {
  it("names the field at fault", () => {
    expect(() => projectFleet({ ...seed, agents: 0 })).toThrow(ProjectionInputError);
    expect(() => projectFleet({ ...seed, heartbeatMinutes: -5 })).toThrow(/heartbeatMinutes/);
    expect(() => projectFleet({ ...seed, activeHours: 25 })).toThrow(/activeHours/);
    expect(() => projectFleet({ ...seed, turnCostHigh: 10_000n })).toThrow(/turnCostHigh/);
    expect(() => projectFleet({ ...seed, shares: [{ id: "x", label: "x", offloadedShare: 1.5 }] })).toThrow(/shares/);
  });

  it("handles heartbeats that do not divide an hour", () => {
    expect(projectFleet({ ...seed, agents: 1, heartbeatMinutes: 7, activeHours: 7 }).turnsPerDay).toBe(60);
  });

  it("spend falls and saving rises as more is offloaded, and saving never exceeds all-Claude", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 240 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (agents, heartbeatMinutes, activeHours, cost, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const p = projectFleet({
            agents,
            heartbeatMinutes,
            activeHours,
            turnCostLow: BigInt(cost),
            turnCostHigh: BigInt(cost) * 2n,
            shares: [
              { id: "lo", label: "", offloadedShare: lo },
              { id: "hi", label: "", offloadedShare: hi },
            ],
          });
          const [sLo, sHi] = p.scenarios;
          const all = BigInt(Math.round(p.turnsPerDay * cost));
          return (
            sHi!.dailyLowMicroUsd <= sLo!.dailyLowMicroUsd &&
            sHi!.savedDailyLowMicroUsd >= sLo!.savedDailyLowMicroUsd &&
            sHi!.savedDailyLowMicroUsd <= all &&
            sHi!.dailyLowMicroUsd >= 0n
          );
        },
      ),
    );
  });
});

describe("projectFromMeasured", () => {
  it("projects from a week of measured usage", () => {
    const p = projectFromMeasured({
      days: 7,
      turns: 6_720,
      localTurns: 4_368,
      claudeSpendMicroUsd: 70_000_000n,
      localCostMicroUsd: 700_000n,
      counterfactualMicroUsd: 210_000_000n,
    });
    expect(p.turnsPerDay).toBe(960);
    expect(p.localShare).toBeCloseTo(0.65, 10);
    expect(p.claudeTurnCostMicroUsd).toBe(31_250n); // 210 / 6,720 turns
    expect(p.actualDailyMicroUsd).toBe(10_100_000n);
    expect(p.allClaudeDailyMicroUsd).toBe(30_000_000n);
    expect(p.savedDailyMicroUsd).toBe(19_900_000n);
    expect(p.savedMonthlyMicroUsd).toBe(597_000_000n);
    expect(p.scenarios.find((s) => s.id === "all-claude")!.dailyLowMicroUsd).toBe(30_000_000n);
  });

  it("copes with a fleet that has no turns yet", () => {
    const p = projectFromMeasured({
      days: 1,
      turns: 0,
      localTurns: 0,
      claudeSpendMicroUsd: 0n,
      localCostMicroUsd: 0n,
      counterfactualMicroUsd: 0n,
    });
    expect(p.turnsPerDay).toBe(0);
    expect(p.localShare).toBe(0);
    expect(p.scenarios.every((s) => s.dailyHighMicroUsd === 0n)).toBe(true);
  });
});

describe("parseUsdToMicro", () => {
  it("parses dollar amounts exactly", () => {
    expect(parseUsdToMicro("0.02")).toBe(20_000n);
    expect(parseUsdToMicro("$0.05")).toBe(50_000n);
    expect(parseUsdToMicro("3")).toBe(3_000_000n);
    expect(parseUsdToMicro("0.000001")).toBe(1n);
  });

  it("refuses what is not an amount", () => {
    for (const bad of ["", "abc", "-1", "0.0000001", "1e3", "0,02"]) expect(parseUsdToMicro(bad)).toBeNull();
  });
});
