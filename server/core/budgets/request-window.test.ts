import { describe, expect, it } from "vitest";
import { takeRequest } from "./request-window";

describe("requests per minute (sliding window)", () => {
  it("takes up to the limit in any 60 s, then says when the next one fits", () => {
    const w: number[] = [];
    expect(takeRequest(w, 3, 0)).toEqual({ ok: true });
    expect(takeRequest(w, 3, 10_000)).toEqual({ ok: true });
    expect(takeRequest(w, 3, 20_000)).toEqual({ ok: true });
    expect(takeRequest(w, 3, 30_000)).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(w).toHaveLength(3); // a refused request is not counted
    expect(takeRequest(w, 3, 59_999)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(takeRequest(w, 3, 60_000)).toEqual({ ok: true }); // the first left the window
    expect(w).toEqual([10_000, 20_000, 60_000]);
  });

  it("after the limit is lowered, waits until enough requests have left the window", () => {
    const w = [0, 1_000, 2_000, 3_000, 4_000];
    expect(takeRequest(w, 2, 5_000)).toEqual({ ok: false, retryAfterSeconds: 58 }); // 3,000 + 60 s
  });

  it("never holds more than the limit however fast requests come", () => {
    const w: number[] = [];
    let taken = 0;
    for (let t = 0; t < 120_000; t += 7) if (takeRequest(w, 100, t).ok) taken++;
    expect(w.length).toBeLessThanOrEqual(100);
    expect(taken).toBe(200);
  });
});
