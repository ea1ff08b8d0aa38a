// Each dashboard page's data with 1,000,000 turns in the database (target: under 200 ms a page):
// the demo fleet plus a million synthetic turns over 90 days, then every page's loaders timed
// beside a `select 1` baseline of the same run.
import { performance } from "node:perf_hooks";
import type { Db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { recordTurns } from "@/server/db/record-turns";
import { readFleetOverview } from "@/server/fleet/read-fleet-overview";
import { readAgentDetail } from "@/server/fleet/read-agent-detail";
import { readMeasuredProjection } from "@/server/fleet/read-measured-projection";
import { readCosts } from "@/server/costs/read-costs";
import { readTierBoard, listTierChanges } from "@/server/tiers/manage-tiers";
import { readSettings } from "@/server/db/settings";
import { LANES } from "@/server/core/lanes";
import type { TurnRecord } from "@/server/core/turn-record";
import { percentile as pct } from "@/server/core/stats";

async function time(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

async function fillTurns(db: Db, count: number, days = 90): Promise<number> {
  await seed(db, { demo: true });
  const agents = (await db.prisma.agent.findMany({ select: { id: true } })).map((a) => a.id);
  const types = (await db.prisma.taskType.findMany({ select: { id: true } })).map((t) => t.id);
  const now = Date.now();
  const t0 = performance.now();
  const batch = 20_000;
  for (let done = 0; done < count; done += batch) {
    const turns: TurnRecord[] = [];
    for (let i = 0; i < Math.min(batch, count - done); i++) {
      const n = done + i;
      const lane = LANES[1 + (n % 3)]!;
      const claude = lane === "claude";
      turns.push({
        id: crypto.randomUUID(),
        agentId: agents[n % agents.length]!,
        taskTypeId: types[(n * 7) % types.length]!,
        lane,
        requestedModel: "claude-opus-4-6",
        servedModel: claude ? "claude-opus-4-6" : "qwen3:8b",
        status: n % 50 === 0 ? "escalated" : "ok",
        inputTokens: 2_000 + (n % 10_000),
        outputTokens: 50 + (n % 500),
        cacheReadTokens: claude ? 8_000 : 0,
        cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0,
        latencyMs: 500 + (n % 20_000),
        generationMs: claude ? null : 400,
        loadMs: claude ? null : 5,
        escalatedFromTurnId: null,
        reason: "bench",
        errorMessage: null,
        costMicroUsd: claude ? 40_000n : 20n,
        counterfactualMicroUsd: 40_000n,
        source: "reported",
        startedAt: new Date(now - Math.floor(((n * 7919) % (days * 86_400)) * 1000)),
      });
    }
    await recordTurns(db, turns);
  }
  return performance.now() - t0;
}

export async function benchPages(label: string, db: Db, count = 1_000_000): Promise<Record<string, string | number>[]> {
  const fillMs = await fillTurns(db, count);
  // What autovacuum would have done by now: without statistics after a bulk load, Postgres plans
  // the small DailyUsage scans as parallel seq scans and pays ~50 ms of worker start-up.
  await db.sql.exec("analyze");
  const total = await db.prisma.turn.count();
  console.log(
    `${label}: ${total.toLocaleString("en-US")} turns in the database (filled ${count.toLocaleString("en-US")} in ${(fillMs / 1000).toFixed(0)} s)`,
  );
  const baseline = pct(await time(30, () => db.sql.query("select 1")), 0.5);
  const pages: [string, () => Promise<unknown>][] = [
    ["Fleet (/): overview", () => readFleetOverview(db)],
    ["Agent page: loash", () => readAgentDetail(db, "loash")],
    ["Tiers: board + audit", () => Promise.all([readTierBoard(db), listTierChanges(db)])],
    [
      "Costs: 7 days + projections",
      () => Promise.all([readCosts(db, 7), readMeasuredProjection(db), readSettings(db)]),
    ],
    [
      "Costs: 30 days + projections",
      () => Promise.all([readCosts(db, 30), readMeasuredProjection(db), readSettings(db)]),
    ],
    [
      "Costs: 90 days + projections",
      () => Promise.all([readCosts(db, 90), readMeasuredProjection(db), readSettings(db)]),
    ],
  ];
  const rows: Record<string, string | number>[] = [];
  for (const [what, fn] of pages) {
    const t = await time(20, fn);
    rows.push({
      what: `${label}: ${what}`,
      runs: t.length,
      "p50 ms": pct(t, 0.5).toFixed(1),
      "p95 ms": pct(t, 0.95).toFixed(1),
      "baseline select 1 p50 ms": baseline.toFixed(2),
      "under 200 ms (p95)": pct(t, 0.95) < 200 ? "yes" : "NO",
    });
  }
  return rows;
}
