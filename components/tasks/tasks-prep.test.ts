import { describe, expect, it } from "vitest";
import { hourRangeLabel, seriesOrder, throughputSeries, throughputTotals } from "./throughput-series";
import { countGrid } from "./count-grid";
import {
  claimExpired,
  formatAge,
  formatSeconds,
  formatSince,
  formFieldOf,
  parsePayload,
  prettyJson,
  taskActions,
} from "./task-format";
import { overviewInput, readTasksFilters, tasksHref } from "./tasks-inputs";

describe("throughputSeries", () => {
  const now = new Date("2026-12-01T14:25:00Z");
  const row = (hour: string, n: Partial<Record<"sidecar" | "escalated" | "agent" | "failed", number>>) => ({
    hour,
    sidecar: 0,
    escalated: 0,
    agent: 0,
    failed: 0,
    ...n,
  });

  it("has every hour of the last 24, ending with the current one, empty hours at zero", () => {
    const points = throughputSeries([row("2026-12-01T14:00Z", { sidecar: 2, failed: 1 })], now);
    expect(points).toHaveLength(24);
    expect(points[0]).toMatchObject({ hour: "2026-11-30T15:00Z", label: "15:00", total: 0 });
    expect(points.at(-1)).toEqual({
      hour: "2026-12-01T14:00Z",
      label: "14:00",
      sidecar: 2,
      escalated: 0,
      agent: 0,
      failed: 1,
      total: 3,
    });
    expect(points.filter((p) => p.total > 0)).toHaveLength(1);
  });

  it("keeps an earlier hour the server counted (the window's partial first hour) as a bar of its own", () => {
    const points = throughputSeries(
      [row("2026-11-30T14:00Z", { agent: 4 }), row("2026-12-01T03:00Z", { escalated: 1 })],
      now,
    );
    expect(points).toHaveLength(25);
    expect(points[0]).toMatchObject({ hour: "2026-11-30T14:00Z", agent: 4, total: 4 });
    expect(points.find((p) => p.hour === "2026-12-01T03:00Z")).toMatchObject({ escalated: 1, total: 1 });
    expect(throughputTotals(points)).toEqual({ sidecar: 0, escalated: 1, agent: 4, failed: 0, total: 5 });
  });

  it("on the hour, the current hour is the last bar", () => {
    const points = throughputSeries([], new Date("2026-12-01T00:00:00Z"));
    expect(points.map((p) => p.hour).slice(-2)).toEqual(["2026-11-30T23:00Z", "2026-12-01T00:00Z"]);
  });

  it("orders the series bottom of the stack first", () => {
    expect(["failed", "agent", "sidecar", "escalated", "other"].map(seriesOrder)).toEqual([3, 2, 0, 1, 4]);
  });

  it("names an hour's range for the tooltip", () => {
    expect(hourRangeLabel("2026-12-01T23:00Z")).toBe("2026-12-01 23:00–00:00 UTC");
    expect(hourRangeLabel("nonsense")).toBe("nonsense");
  });
});

describe("countGrid", () => {
  it("has every lane in tier order with every status, and the totals", () => {
    const grid = countGrid([
      { lane: "claude", status: "failed", tasks: 2 },
      { lane: "sidecar", status: "done", tasks: 5 },
      { lane: "sidecar", status: "queued", tasks: 1 },
    ]);
    expect(grid.rows.map((r) => [r.lane, r.label, r.tier])).toEqual([
      ["sidecar", "Sidecar", 0],
      ["local", "Local", 1],
      ["local_careful", "Local with care", 2],
      ["claude", "Claude", 3],
    ]);
    expect(grid.rows[0]).toMatchObject({
      byStatus: { queued: 1, claimed: 0, done: 5, failed: 0, cancelled: 0 },
      total: 6,
    });
    expect(grid.rows[1]!.total).toBe(0);
    expect(grid.byStatus).toEqual({ queued: 1, claimed: 0, done: 5, failed: 2, cancelled: 0 });
    expect(grid.total).toBe(8);
  });
});

describe("task formatting", () => {
  it("writes durations and ages", () => {
    expect(formatSeconds(null)).toBe("–");
    expect(formatSeconds(0.043)).toBe("0.04 s");
    expect(formatSeconds(3.25)).toBe("3.3 s");
    expect(formatSeconds(42.4)).toBe("42 s");
    expect(formatSeconds(270)).toBe("4.5 min");
    expect(formatSeconds(4_320)).toBe("1.2 h");
    const now = new Date("2026-12-01T14:00:00Z");
    expect(formatAge("2026-12-01T13:59:58Z", now)).toBe("just now");
    expect(formatAge("2026-12-01T13:59:15Z", now)).toBe("45 s");
    expect(formatAge("2026-12-01T13:48:00Z", now)).toBe("12 min");
    expect(formatAge("2026-12-01T11:00:00Z", now)).toBe("3 h");
    expect(formatAge("2026-11-28T14:00:00Z", now)).toBe("3 d");
    expect(formatSince("2026-12-01T13:48:00Z", now)).toBe("12 min ago");
    expect(formatSince("2026-12-01T14:00:00Z", now)).toBe("just now");
  });

  it("pretty-prints JSON", () => {
    expect(prettyJson(null)).toBe("none");
    expect(prettyJson({ action: "file.write", path: "a.txt" })).toBe(
      '{\n  "action": "file.write",\n  "path": "a.txt"\n}',
    );
  });

  it("knows an expired claim", () => {
    const now = new Date("2026-12-01T14:00:00Z");
    expect(claimExpired({ status: "claimed", claimExpiresAt: "2026-12-01T13:59:59Z" }, now)).toBe(true);
    expect(claimExpired({ status: "claimed", claimExpiresAt: "2026-12-01T14:05:00Z" }, now)).toBe(false);
    expect(claimExpired({ status: "queued", claimExpiresAt: null }, now)).toBe(false);
  });

  it("offers re-queue and cancel as the server allows them", () => {
    expect(taskActions("queued")).toEqual({ requeue: false, cancel: true });
    expect(taskActions("claimed")).toEqual({ requeue: true, cancel: true });
    expect(taskActions("done")).toEqual({ requeue: false, cancel: false });
    expect(taskActions("failed")).toEqual({ requeue: true, cancel: false });
    expect(taskActions("cancelled")).toEqual({ requeue: true, cancel: false });
  });

  it("reads the payload box", () => {
    expect(parsePayload("  ")).toEqual({ ok: true, payload: undefined });
    expect(parsePayload('{"action":"git.status"}')).toEqual({ ok: true, payload: { action: "git.status" } });
    const bad = parsePayload("{action: git.status}");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^not valid JSON: /);
  });

  it("finds the form field a server error names", () => {
    expect(formFieldOf("payload.path")).toBe("payload");
    expect(formFieldOf("title")).toBe("title");
    expect(formFieldOf("agent")).toBe("agent");
    expect(formFieldOf("priority")).toBeNull();
    expect(formFieldOf(null)).toBeNull();
  });
});

describe("tasks filters", () => {
  it("reads the URL's filters, ignoring what is malformed", () => {
    expect(readTasksFilters({ status: "failed", lane: "claude", agent: " builder " })).toEqual({
      status: "failed",
      lane: "claude",
      agent: "builder",
    });
    expect(readTasksFilters({ status: "gone", lane: ["local", "claude"], agent: "x".repeat(64) })).toEqual({
      status: null,
      lane: "local",
      agent: null,
    });
  });

  it("writes the address and the overview's input", () => {
    expect(tasksHref({ status: null, lane: null, agent: null })).toBe("/tasks");
    expect(tasksHref({ status: "queued", lane: "local_careful", agent: "a-1" })).toBe(
      "/tasks?status=queued&lane=local_careful&agent=a-1",
    );
    expect(overviewInput({ status: null, lane: "sidecar", agent: null })).toEqual({ limit: 100, lane: "sidecar" });
  });
});
