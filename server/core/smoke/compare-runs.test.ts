import { describe, expect, it } from "vitest";
import { passRateInterval } from "./compare-runs";

describe("passRateInterval (Wilson, 95%)", () => {
  it("matches published values", () => {
    // 20/20: the interval is [0.839, 1]; 10/20: [0.299, 0.701].
    const all = passRateInterval(20, 20);
    expect(all.rate).toBe(1);
    expect(all.low).toBeCloseTo(0.8389, 3);
    expect(all.high).toBe(1);
    const half = passRateInterval(10, 20);
    expect(half.low).toBeCloseTo(0.2993, 3);
    expect(half.high).toBeCloseTo(0.7007, 3);
  });
  it("is empty for no runs and never leaves [0, 1]", () => {
    expect(passRateInterval(0, 0)).toEqual({ rate: 0, low: 0, high: 0 });
    const none = passRateInterval(0, 5);
    expect(none.low).toBe(0);
    expect(none.high).toBeGreaterThan(0.4);
  });
});
