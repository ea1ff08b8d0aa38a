import { describe, expect, it } from "vitest";
import {
  dailySeries,
  dailySeriesCsv,
  dayLabel,
  daysBetween,
  splitPartialDay,
  toCsv,
  type DayLaneUsage,
} from "./cost-series";

const row = (
  day: string,
  lane: DayLaneUsage["lane"],
  turns: number,
  cost: bigint,
  counterfactual: bigint,
  reported: { turns: number; cost: bigint } = { turns: 0, cost: 0n },
): DayLaneUsage => ({
  day,
  lane,
  turns,
  costMicroUsd: cost,
  counterfactualMicroUsd: counterfactual,
  inputTokens: 100n,
  outputTokens: 10n,
  cacheReadTokens: 0n,
  cacheWriteTokens: 0n,
  reportedTurns: reported.turns,
  reportedCostMicroUsd: reported.cost,
});

describe("dailySeries", () => {
  it("has one point per calendar day, across a month end, with missing days as gaps", () => {
    const points = dailySeries(
      [row("2026-10-30", "local", 10, 100n, 50_000n), row("2026-11-01", "claude", 2, 30_000n, 30_000n)],
      "2026-10-30",
      "2026-11-02",
    );
    expect(points.map((p) => p.day)).toEqual(["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]);
    expect(points[1]).toMatchObject({
      totalTurns: null,
      actualUsd: null,
      allClaudeUsd: null,
      turns: { local: null, claude: null },
    });
    expect(points[3]!.actualUsd).toBeNull();
    expect(points[0]).toMatchObject({
      totalTurns: 10,
      actualUsd: 0.0001,
      allClaudeUsd: 0.05,
      savedUsd: 0.0499,
      turns: { local: 10, claude: 0 },
    });
  });

  it("adds lanes of the same day and keeps the sums exact", () => {
    const points = dailySeries(
      [
        row("2026-11-01", "local", 3, 1n, 10n),
        row("2026-11-01", "local_careful", 1, 2n, 20n),
        row("2026-11-01", "claude", 1, 1_000_000n, 1_000_000n),
      ],
      "2026-11-01",
      "2026-11-01",
    );
    expect(points[0]).toMatchObject({
      totalTurns: 5,
      actualUsd: 1.000003,
      allClaudeUsd: 1.00003,
      turns: { local: 3, local_careful: 1, claude: 1, sidecar: 0 },
      inputTokens: 300,
    });
  });

  it("keeps what agents reported apart from what the gateway metered, in the same totals", () => {
    const points = dailySeries(
      [
        row("2026-11-01", "claude", 10, 3_000_000n, 3_000_000n, { turns: 4, cost: 2_000_000n }),
        row("2026-11-01", "local", 20, 100n, 200_000n, { turns: 0, cost: 0n }),
        row("2026-11-02", "local", 5, 50n, 50_000n),
      ],
      "2026-11-01",
      "2026-11-03",
    );
    expect(points[0]).toMatchObject({
      totalTurns: 30,
      reportedTurns: 4,
      actualUsd: 3.0001,
      meteredUsd: 1.0001,
      reportedUsd: 2,
      allClaudeUsd: 3.2,
    });
    expect(points[0]!.savedUsd).toBeCloseTo(0.1999, 10);
    // A day with metered turns only reports zero; a day without turns is a gap in every series.
    expect(points[1]).toMatchObject({ reportedTurns: 0, reportedUsd: 0, meteredUsd: 0.00005 });
    expect(points[2]).toMatchObject({ reportedTurns: null, reportedUsd: null, meteredUsd: null });
    const split = splitPartialDay(
      dailySeries(
        [row("2026-11-03", "claude", 1, 5n, 5n, { turns: 1, cost: 5n })],
        "2026-11-03",
        "2026-11-03",
        "2026-11-03",
      ),
    );
    expect(split[0]).toMatchObject({ reportedUsd: null, reportedUsdSoFar: 0.000005, meteredUsdSoFar: 0 });
  });

  it("marks today (UTC) as the one partial day, with or without turns", () => {
    const rows = [row("2026-11-29", "local", 40, 4_000n, 400_000n), row("2026-11-30", "local", 3, 300n, 30_000n)];
    const points = dailySeries(rows, "2026-11-28", "2026-11-30", "2026-11-30");
    expect(points.map((p) => [p.day, p.partial])).toEqual([
      ["2026-11-28", false],
      ["2026-11-29", false],
      ["2026-11-30", true],
    ]);
    expect(dailySeries([], "2026-11-29", "2026-11-30", "2026-11-30")[1]).toMatchObject({
      partial: true,
      actualUsd: null,
    });
    // A range that ended before today has no partial day.
    expect(dailySeries(rows, "2026-11-28", "2026-11-30").some((p) => p.partial)).toBe(false);
  });

  it("refuses a malformed range", () => {
    expect(() => daysBetween("2026-13-01", "2026-11-01")).toThrow(/bad day range/);
    expect(daysBetween("2026-11-02", "2026-11-01")).toEqual([]);
  });
});

describe("today's partial day on a line chart", () => {
  // A full day at $4 of Claude, then three hours into today at $0.30: drawn as one line, the
  // right edge falls off a cliff that never happened.
  const rows = [
    row("2026-11-28", "claude", 100, 4_000_000n, 4_000_000n),
    row("2026-11-29", "claude", 100, 4_000_000n, 4_000_000n),
    row("2026-11-30", "claude", 8, 300_000n, 300_000n),
  ];

  it("ends each line at the last complete day and keeps today's values apart, as so far", () => {
    const points = splitPartialDay(dailySeries(rows, "2026-11-28", "2026-11-30", "2026-11-30"));
    expect(points.map((p) => p.actualUsd)).toEqual([4, 4, null]);
    expect(points.map((p) => p.allClaudeUsd)).toEqual([4, 4, null]);
    expect(points.map((p) => p.savedUsd)).toEqual([0, 0, null]);
    expect(points.map((p) => p.actualUsdSoFar)).toEqual([null, null, 0.3]);
    expect(points.map((p) => p.allClaudeUsdSoFar)).toEqual([null, null, 0.3]);
    expect(points[2]).toMatchObject({ partial: true, totalTurns: 8, savedUsdSoFar: 0 });
  });

  it("changes nothing when the range has no partial day", () => {
    const points = splitPartialDay(dailySeries(rows, "2026-11-28", "2026-11-30"));
    expect(points.map((p) => p.actualUsd)).toEqual([4, 4, 0.3]);
    expect(points.every((p) => p.actualUsdSoFar === null && p.savedUsdSoFar === null)).toBe(true);
  });

  it("names today in the tooltip as today so far", () => {
    const points = dailySeries(rows, "2026-11-29", "2026-11-30", "2026-11-30");
    expect(points.map(dayLabel)).toEqual(["11-29", "11-30, today so far"]);
  });
});

describe("CSV", () => {
  it("quotes what needs quoting and leaves gaps empty", () => {
    expect(
      toCsv(
        [
          { key: "a", label: "name" },
          { key: "b", label: "note" },
        ],
        [
          { a: 'say "hi"', b: "x,y" },
          { a: null, b: 3 },
        ],
      ),
    ).toBe('name,note\r\n"say ""hi""","x,y"\r\n,3\r\n');
    const csv = dailySeriesCsv(
      dailySeries([row("2026-11-01", "local", 2, 10n, 20n)], "2026-11-01", "2026-11-02", "2026-11-02"),
    );
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toContain("day (UTC),turns sidecar,turns local");
    expect(lines[0]).toMatch(/,partial day$/);
    expect(lines[0]).toContain(
      "turns claude,turns reported by agents,cost USD,metered cost USD,reported cost USD (by agents; not metered),",
    );
    expect(lines[1]).toBe("2026-11-01,0,2,0,0,0,0.000010,0.000010,0.000000,0.000020,0.000010,100,10,0,0,");
    expect(lines[2]).toBe("2026-11-02,,,,,,,,,,,,,,,today so far");
  });
});
