import { describe, expect, it } from "vitest";
import { budgetAlert, isOverBudget, overBudgetMessage, secondsToNextUtcDay, usdToMicroUsd } from "./budget-rules";

describe("budget rules", () => {
  it("reads dollars as integer micro-dollars", () => {
    expect(usdToMicroUsd(5)).toBe(5_000_000n);
    expect(usdToMicroUsd(0.1 + 0.2)).toBe(300_000n);
    expect(usdToMicroUsd(0)).toBe(0n);
  });

  it("is over budget once today's spend reaches it; no budget is never over; a zero budget always is", () => {
    expect(isOverBudget(4_999_999n, 5_000_000n)).toBe(false);
    expect(isOverBudget(5_000_000n, 5_000_000n)).toBe(true);
    expect(isOverBudget(9_000_000n, 5_000_000n)).toBe(true);
    expect(isOverBudget(10n ** 15n, null)).toBe(false);
    expect(isOverBudget(0n, 0n)).toBe(true);
  });

  it("alerts at 80% and at 100% of a budget, and not without one", () => {
    expect(budgetAlert(7_999_999n, 10_000_000n)).toEqual({ level: "none", share: 0.7999 });
    expect(budgetAlert(8_000_000n, 10_000_000n)).toEqual({ level: "warning", share: 0.8 });
    expect(budgetAlert(10_000_000n, 10_000_000n)).toEqual({ level: "over", share: 1 });
    expect(budgetAlert(25_000_000n, 10_000_000n)).toEqual({ level: "over", share: 2.5 });
    expect(budgetAlert(25_000_000n, null).level).toBe("none");
    expect(budgetAlert(0n, 0n)).toEqual({ level: "over", share: 1 });
  });

  it("counts the seconds to the next UTC midnight", () => {
    expect(secondsToNextUtcDay(new Date("2026-11-30T23:59:59.000Z"))).toBe(1);
    expect(secondsToNextUtcDay(new Date("2026-11-30T23:59:59.900Z"))).toBe(1);
    expect(secondsToNextUtcDay(new Date("2026-11-30T00:00:00.000Z"))).toBe(86_400);
    expect(secondsToNextUtcDay(new Date("2026-12-31T12:00:00.000Z"))).toBe(43_200); // across the year
  });

  it("says who is over which budget and what was spent", () => {
    expect(overBudgetMessage("loash", 5_000_000n, 5_012_500n)).toBe(
      "agent loash is over its daily Claude budget of $5.00 (spent $5.01 today, UTC)",
    );
  });
});
