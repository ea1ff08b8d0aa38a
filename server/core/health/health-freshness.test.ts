// The one freshness rule for health samples: three poll intervals, whatever the interval.
import { describe, expect, it } from "vitest";
import { healthFreshForMs, isHealthSampleFresh } from "./health-freshness";

describe("isHealthSampleFresh", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  it("keeps a sample fresh for three poll intervals, inclusive", () => {
    expect(healthFreshForMs(15)).toBe(45_000);
    expect(isHealthSampleFresh(ago(0), now, 15)).toBe(true);
    expect(isHealthSampleFresh(ago(45), now, 15)).toBe(true);
    expect(isHealthSampleFresh(ago(46), now, 15)).toBe(false);
  });

  it("follows the configured interval rather than a fixed age", () => {
    expect(isHealthSampleFresh(ago(100), now, 15)).toBe(false);
    expect(isHealthSampleFresh(ago(150), now, 60)).toBe(true);
    expect(isHealthSampleFresh(ago(181), now, 60)).toBe(false);
  });
});
