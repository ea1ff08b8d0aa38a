// `offload classify` and `offload project` as an operator runs them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-routing-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const cli = (args: string[], input?: string) =>
  runCli(args, { OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined, OFFLOAD_DEMO: "off" }, 120_000, input);
const jsonLines = (s: string) =>
  s
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("offload classify", () => {
  it("answers one JSON line per input line, in order, with exactly the documented fields; bad lines get {error}", async () => {
    expect((await cli(["agents", "add", "worker-1", "--pin", "local"])).code).toBe(0);
    const input = [
      JSON.stringify({
        title:
          "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. If nothing needs attention, reply HEARTBEAT_OK.",
      }),
      "this is not json",
      JSON.stringify({ title: "review PR 128 for correctness and risk" }),
      JSON.stringify({ title: "x", taskType: "no-such-type" }),
      "",
      JSON.stringify({ title: "weigh both options", agent: "worker-1" }),
      JSON.stringify({ title: "git fetch origin", taskType: "git-fetch" }),
      "[1,2]",
    ].join("\n");
    const r = await cli(["classify"], input);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(7);
    expect(Object.keys(out[0]!)).toEqual(["tier", "lane", "model", "taskType", "confidence", "reason"]);
    expect(out[0]).toMatchObject({ tier: 1, lane: "local", model: "qwen3:8b", taskType: "heartbeat" });
    expect(out[1]).toEqual({ error: expect.stringMatching(/^line 2: not valid JSON/) });
    expect(out[2]).toMatchObject({ tier: 3, lane: "claude", model: "claude-opus-4-6", taskType: "code-review" });
    expect(out[3]).toEqual({ error: expect.stringContaining("taskType") });
    expect(out[4]).toMatchObject({ tier: 1, lane: "local", reason: "agent worker-1 is pinned to local" });
    expect(out[5]).toMatchObject({ tier: 0, lane: "sidecar", model: null, taskType: "git-fetch" });
    expect(out[6]).toEqual({ error: "line 8: expected a JSON object" });
    expect(r.code).toBe(1);
  });

  it("exits 0 when every line was decided", async () => {
    const r = await cli(["classify"], `${JSON.stringify({ title: "post the daily status" })}\n`);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ lane: "local", taskType: "status-report" });
  });
});

describe("offload project", () => {
  it("prints the seed's table for the defaults", async () => {
    const r = await cli(["project"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("960 turns/day");
    expect(r.stdout).toMatch(/All Claude\s+0%\s+960\s+\$19\.20-48\.00/);
    expect(r.stdout).toMatch(/Tier 1 offloaded\s+65%\s+336\s+\$6\.72-16\.80/);
    expect(r.stdout).toMatch(/Tier 1\+2 offloaded\s+80%\s+192\s+\$3\.84-9\.60/);
  });

  it("prints JSON with dollar figures as numbers", async () => {
    const r = await cli([
      "project",
      "--agents",
      "10",
      "--heartbeat-min",
      "10",
      "--hours",
      "12",
      "--turn-cost",
      "0.03",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as {
      turnsPerDay: number;
      scenarios: { id: string; dailyLow: number; dailyHigh: number; savingShare: number }[];
    };
    expect(p.turnsPerDay).toBe(720);
    expect(p.scenarios[0]).toMatchObject({ id: "all-claude", dailyLow: 21.6, dailyHigh: 21.6, savingShare: 0 });
    expect(p.scenarios[1]!.dailyLow).toBeCloseTo(7.56, 10);
  });

  it("refuses bad flags with exit code 2, naming the flag", async () => {
    for (const [args, flag] of [
      [["--agents", "0"], "--agents"],
      [["--agents", "2.5"], "--agents"],
      [["--hours", "30"], "--hours"],
      [["--turn-cost", "0.05-0.02"], "--turn-cost"],
      [["--turn-cost", "cheap"], "--turn-cost"],
      [["--nope"], "--nope"],
    ] as const) {
      const r = await cli(["project", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(flag);
    }
  });

  it("projects from the fleet's measured week with --measured", async () => {
    const r = await cli(["project", "--measured", "--json"]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { measured: { days: number }; turnsPerDay: number; scenarios: unknown[] };
    expect(p.measured.days).toBeGreaterThanOrEqual(1);
    expect(p.turnsPerDay).toBe(0); // no turns recorded in this data folder
    expect(p.scenarios).toHaveLength(3);
  });
});
