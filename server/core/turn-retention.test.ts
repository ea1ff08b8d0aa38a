import { describe, expect, it } from "vitest";
import {
  clampToRetained,
  nextRetainedFrom,
  parseRetainedFromDay,
  retainedFromDay,
  retentionCutover,
} from "./turn-retention";

const at = (iso: string) => new Date(iso);

describe("retentionCutover", () => {
  it("is midnight UTC the given number of days before today, whatever the hour", () => {
    expect(retentionCutover(at("2026-11-30T00:00:00.000Z"), 31)).toEqual(at("2026-10-30T00:00:00.000Z"));
    expect(retentionCutover(at("2026-11-30T16:45:12.345Z"), 31)).toEqual(at("2026-10-30T00:00:00.000Z"));
    expect(retentionCutover(at("2026-11-30T23:59:59.999Z"), 31)).toEqual(at("2026-10-30T00:00:00.000Z"));
    // The next UTC day moves it by a day.
    expect(retentionCutover(at("2026-12-01T00:00:00.000Z"), 31)).toEqual(at("2026-10-31T00:00:00.000Z"));
  });

  it("crosses months, leap days and years", () => {
    expect(retentionCutover(at("2028-03-31T08:00:00Z"), 31)).toEqual(at("2028-02-29T00:00:00Z"));
    expect(retentionCutover(at("2027-01-15T08:00:00Z"), 365)).toEqual(at("2026-01-15T00:00:00Z"));
    expect(retentionCutover(at("2026-11-30T08:00:00Z"), 90)).toEqual(at("2026-09-01T00:00:00Z"));
  });

  it("keeps everything with 0", () => {
    expect(retentionCutover(at("2026-11-30T08:00:00Z"), 0)).toBeNull();
  });

  it("keeps the whole day of the cutover and every day after it: the 30-day unpriced window starts later", () => {
    const now = at("2026-11-30T16:00:00Z");
    const cutover = retentionCutover(now, 31)!;
    const unpricedWindowStart = at("2026-11-01T00:00:00Z"); // today and the 29 days before
    expect(cutover.getTime()).toBeLessThan(unpricedWindowStart.getTime());
    expect(retainedFromDay(cutover)).toBe("2026-10-30");
  });
});

describe("nextRetainedFrom", () => {
  const oct = at("2026-10-30T00:00:00Z");
  const sep = at("2026-09-01T00:00:00Z");
  it("moves forward only", () => {
    expect(nextRetainedFrom(null, oct)).toEqual(oct);
    expect(nextRetainedFrom(sep, oct)).toEqual(oct);
    // A longer period later cannot bring retired turns back.
    expect(nextRetainedFrom(oct, sep)).toEqual(oct);
    // Retention switched off: what was retired stays retired.
    expect(nextRetainedFrom(oct, null)).toEqual(oct);
    expect(nextRetainedFrom(null, null)).toBeNull();
  });
});

describe("clampToRetained", () => {
  it("moves a start before the retained day up to it, and leaves a later one", () => {
    const kept = at("2026-10-30T00:00:00Z");
    expect(clampToRetained(at("2026-09-01T00:00:00Z"), kept)).toEqual(kept);
    expect(clampToRetained(at("2026-11-02T00:00:00Z"), kept)).toEqual(at("2026-11-02T00:00:00Z"));
    expect(clampToRetained(at("2026-09-01T00:00:00Z"), null)).toEqual(at("2026-09-01T00:00:00Z"));
  });
});

describe("parseRetainedFromDay", () => {
  it("reads a stored day and refuses anything else", () => {
    expect(parseRetainedFromDay("2026-10-30")).toEqual(at("2026-10-30T00:00:00Z"));
    expect(parseRetainedFromDay("2026-02-30")).toBeNull();
    expect(parseRetainedFromDay("2026-10-30T00:00:00Z")).toBeNull();
    expect(parseRetainedFromDay(20261030)).toBeNull();
    expect(parseRetainedFromDay(null)).toBeNull();
  });
});
