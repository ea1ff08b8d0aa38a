import { describe, expect, it } from "vitest";
import { daysObserved, microUsdPerDay, perDay } from "./per-day";

const at = (iso: string) => new Date(iso);

describe("daysObserved", () => {
  it("counts the partial day of a trailing window", () => {
    // Window from Nov 19 00:00 to Nov 25 12:00 is 6.5 days.
    expect(daysObserved(at("2026-11-19T00:00:00Z"), at("2026-01-01T00:00:00Z"), at("2026-11-25T12:00:00Z"))).toBe(6.5);
  });

  it("starts at the agent's creation when it is younger than the window", () => {
    expect(daysObserved(at("2026-11-19T00:00:00Z"), at("2026-11-23T12:00:00Z"), at("2026-11-25T12:00:00Z"))).toBe(2);
  });

  it("never divides by less than a day", () => {
    expect(daysObserved(at("2026-11-19T00:00:00Z"), at("2026-11-25T11:00:00Z"), at("2026-11-25T12:00:00Z"))).toBe(1);
    expect(daysObserved(at("2026-11-19T00:00:00Z"), null, at("2026-11-19T00:30:00Z"))).toBe(1);
  });
});

describe("per-day rates", () => {
  it("divides counts by observed days", () => {
    expect(perDay(650, 6.5)).toBe(100);
  });

  it("divides micro-dollars in integers, rounding half away from zero", () => {
    expect(microUsdPerDay(6_500_000n, 6.5)).toBe(1_000_000n);
    expect(microUsdPerDay(10n, 4)).toBe(3n); // 2.5 -> 3
    expect(microUsdPerDay(-10n, 4)).toBe(-3n);
    expect(microUsdPerDay(9n, 4)).toBe(2n); // 2.25 -> 2
    expect(microUsdPerDay(0n, 3)).toBe(0n);
  });
});
