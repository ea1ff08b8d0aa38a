import { describe, expect, it } from "vitest";
import { dailySeries, dailySeriesCsv, daysBetween, toCsv, type DayLaneUsage } from "./cost-series";

const row = (
  day: string,
  lane: DayLaneUsage["lane"],
  turns: number,
  cost: bigint,
  counterfactual: bigint,
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

  it("refuses a malformed range", () => {
    expect(() => daysBetween("2026-13-01", "2026-11-01")).toThrow(/bad day range/);
    expect(daysBetween("2026-11-02", "2026-11-01")).toEqual([]);
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
    const csv = dailySeriesCsv(dailySeries([row("2026-11-01", "local", 2, 10n, 20n)], "2026-11-01", "2026-11-02"));
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toContain("day (UTC),turns sidecar,turns local");
    expect(lines[1]).toBe("2026-11-01,0,2,0,0,0.000010,0.000020,0.000010,100,10,0,0");
    expect(lines[2]).toBe("2026-11-02,,,,,,,,,,,");
  });
});
