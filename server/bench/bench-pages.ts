// Every dashboard page's data with many turns in the database (default 1,000,000; `--turns N`):
// the demo fleet plus N synthetic turns over 90 days written by the database itself (fill-turns.ts),
// then every tRPC procedure each page loads, called as the page calls it (appRouter.createCaller,
// so validation and the procedure's own work count), timed beside a `select 1` baseline measured
// in the same rounds. Target: every loader under 100 ms at p95 on Postgres.
import { performance } from "node:perf_hooks";
import type { Db } from "@/server/db/client";
import { appRouter } from "@/server/api/root";
import { percentile as pct } from "@/server/core/stats";
import { checkDailyUsage, fillTurns, type FillReport } from "./fill-turns";

export const PAGE_TARGET_MS = 100;

type Caller = ReturnType<typeof appRouter.createCaller>;
type Loader = { page: string; what: string; run: (c: Caller) => Promise<unknown> };

/** The procedures each page loads (its layout's included: the health badge and the budgets alert), with the inputs its components send. */
function pageLoaders(sample: { busyAgent: string; busyFingerprint: string; rareFingerprint: string }): Loader[] {
  const { busyAgent, busyFingerprint, rareFingerprint } = sample;
  return [
    { page: "every page (layout)", what: "health.status", run: (c) => c.health.status() },
    { page: "every page (layout)", what: "agents.budgets", run: (c) => c.agents.budgets() },
    { page: "Fleet /", what: "fleet.overview", run: (c) => c.fleet.overview() },
    { page: "Fleet /", what: "models.unpriced", run: (c) => c.models.unpriced() },
    {
      page: "Agent /agents/[id]",
      what: `fleet.agent ${busyAgent} (busiest)`,
      run: (c) => c.fleet.agent({ id: busyAgent }),
    },
    { page: "Agent /agents/[id]", what: "fleet.agent loash (demo)", run: (c) => c.fleet.agent({ id: "loash" }) },
    { page: "Costs /costs", what: "fleet.costs 7 days", run: (c) => c.fleet.costs({ days: 7 }) },
    { page: "Costs /costs", what: "fleet.costs 30 days", run: (c) => c.fleet.costs({ days: 30 }) },
    { page: "Costs /costs", what: "fleet.costs 90 days", run: (c) => c.fleet.costs({ days: 90 }) },
    { page: "Costs /costs", what: "fleet.measuredProjection", run: (c) => c.fleet.measuredProjection() },
    { page: "Costs /costs", what: "system.settings", run: (c) => c.system.settings() },
    { page: "Tiers /tiers", what: "tiers.board", run: (c) => c.tiers.board() },
    { page: "Tiers /tiers", what: "tiers.changes 20", run: (c) => c.tiers.changes({ limit: 20 }) },
    { page: "Tiers /tiers", what: "models.mappings", run: (c) => c.models.mappings() },
    {
      page: "Tiers /tiers",
      what: "turns.recurring tray (40, by turns)",
      run: (c) => c.turns.recurring({ limit: 40, sort: "turns" }),
    },
    {
      page: "Turns /turns",
      what: "turns.recurring 20 by turns",
      run: (c) => c.turns.recurring({ limit: 20, sort: "turns" }),
    },
    {
      page: "Turns /turns",
      what: "turns.recurring 20 by cost",
      run: (c) => c.turns.recurring({ limit: 20, sort: "cost" }),
    },
    {
      page: "Turns /turns",
      what: `turns.recurring 20, agent ${busyAgent}`,
      run: (c) => c.turns.recurring({ limit: 20, sort: "turns", agentId: busyAgent }),
    },
    { page: "Turns /turns", what: "turns.recent 50", run: (c) => c.turns.recent({ limit: 50 }) },
    {
      page: "Turns /turns",
      what: "turns.recent 50, agent filter",
      run: (c) => c.turns.recent({ limit: 50, agentId: busyAgent }),
    },
    {
      page: "Turns /turns",
      what: "turns.recent 50, agent loash",
      run: (c) => c.turns.recent({ limit: 50, agentId: "loash" }),
    },
    {
      page: "Turns /turns",
      what: "turns.recent 50, busy fingerprint",
      run: (c) => c.turns.recent({ limit: 50, fingerprint: busyFingerprint }),
    },
    {
      page: "Turns /turns",
      what: "turns.recent 50, rare fingerprint",
      run: (c) => c.turns.recent({ limit: 50, fingerprint: rareFingerprint }),
    },
    {
      page: "Turns /turns",
      what: "turns.recent 50, agent + fingerprint",
      run: (c) => c.turns.recent({ limit: 50, agentId: busyAgent, fingerprint: busyFingerprint }),
    },
    {
      page: "Turns /turns",
      what: "turns.recent 500 (largest page)",
      run: (c) => c.turns.recent({ limit: 500 }),
    },
    { page: "Turns /turns", what: "agents.list", run: (c) => c.agents.list() },
    { page: "Turns /turns", what: "taskTypes.list", run: (c) => c.taskTypes.list() },
    {
      page: "Settings /settings",
      what: "system.settingChanges 20",
      run: (c) => c.system.settingChanges({ limit: 20 }),
    },
    { page: "Health /health", what: "health.history 6 h", run: (c) => c.health.history({ hours: 6 }) },
    { page: "Health /health", what: "health.recentErrors", run: (c) => c.health.recentErrors() },
    { page: "Health /health", what: "health.localContext", run: (c) => c.health.localContext() },
    { page: "Health /health", what: "health.contextPlan", run: (c) => c.health.contextPlan() },
    { page: "Health /health", what: "health.metering", run: (c) => c.health.metering() },
    { page: "Smoke /smoke", what: "smoke.runs", run: (c) => c.smoke.runs() },
    { page: "Smoke /smoke", what: "smoke.options", run: (c) => c.smoke.options() },
    { page: "Tasks /tasks", what: "tasks.overview", run: (c) => c.tasks.overview() },
  ];
}

/** The pages as a browser loads them: each page's loaders at once (the layout's two with every page). */
const PAGES: Record<string, string[]> = {
  "Fleet /": ["Fleet /"],
  "Agent /agents/[id]": ["Agent /agents/[id]"],
  "Costs /costs": ["Costs /costs"],
  "Tiers /tiers": ["Tiers /tiers"],
  "Turns /turns": ["Turns /turns"],
  "Settings /settings": ["Settings /settings"],
  "Health /health": ["Health /health"],
  "Smoke /smoke": ["Smoke /smoke"],
  "Tasks /tasks": ["Tasks /tasks"],
};

async function sample(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

export type PagesResult = {
  fill: FillReport | null;
  rows: Record<string, string | number>[];
  sizes: Record<string, string | number>[];
  misses: string[];
};

/** Table and index sizes of Turn, its rollups and Fingerprint (Postgres and PGlite alike). */
async function tableSizes(db: Db): Promise<Record<string, string | number>[]> {
  const rows = await db.sql.query<{ name: string; kind: string; bytes: string; rows: string }>(
    `select c.relname as name, case c.relkind when 'i' then 'index' else 'table' end as kind,
            pg_relation_size(c.oid)::bigint as bytes, c.reltuples::bigint as rows
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'i')
       and (c.relname in ('Turn', 'DailyUsage', 'FingerprintDailyUsage', 'DailyUsageTotal', 'Fingerprint') or c.oid in (
         select indexrelid from pg_index where indrelid in ('"Turn"'::regclass, '"DailyUsage"'::regclass,
           '"FingerprintDailyUsage"'::regclass, '"DailyUsageTotal"'::regclass, '"Fingerprint"'::regclass)))
     order by pg_relation_size(c.oid) desc`,
  );
  return rows.map((r) => ({
    relation: r.name,
    kind: r.kind,
    "size MiB": (Number(r.bytes) / 2 ** 20).toFixed(0),
    rows: r.kind === "table" ? Number(r.rows).toLocaleString("en-US") : "",
  }));
}

/**
 * Fills (unless `reuse`: the database already holds the turns) and times every loader: `rounds`
 * rounds of `runs` calls each, loaders interleaved round by round so that the machine's noise
 * spreads over all of them; the baseline `select 1` is sampled in every round too.
 */
export async function benchPages(
  label: string,
  db: Db,
  count = 1_000_000,
  options: { reuse?: boolean; rounds?: number; runs?: number } = {},
): Promise<PagesResult> {
  const rounds = options.rounds ?? 3;
  const runs = options.runs ?? 20;
  let fill: FillReport | null = null;
  if (!options.reuse) {
    fill = await fillTurns(db, count, { log: (line) => console.log(`${label}:${line}`) });
    console.log(
      `${label}: filled ${count.toLocaleString("en-US")} turns in ${(fill.totalMs / 1000).toFixed(0)} s (${Object.entries(
        fill.phases,
      )
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(", ")}); ${fill.agents} agents, ${fill.fingerprints.toLocaleString("en-US")} fingerprints`,
    );
  }
  const check = await checkDailyUsage(db);
  console.log(
    `${label}: ${check.turns.toLocaleString("en-US")} turns, ${check.dailyRows.toLocaleString("en-US")} DailyUsage rows, ` +
      `${check.fingerprintRows.toLocaleString("en-US")} FingerprintDailyUsage rows, ` +
      `${check.totalRows.toLocaleString("en-US")} DailyUsageTotal rows, ` +
      `the rollups ${check.consistent ? "equal to the turns' sums" : "DIFFERENT from the turns' sums"}`,
  );
  const [busy] = await db.sql.query<{ agentId: string }>(
    `select "agentId" from "DailyUsage" group by 1 order by sum("turns") desc limit 1`,
  );
  const [fingerprints] = await db.sql.query<{ busy: string; rare: string }>(
    `select (select "fingerprint" from "Turn" where "startedAt" >= now() at time zone 'UTC' - interval '1 hour'
               and "fingerprint" is not null order by "startedAt" desc limit 1) as busy,
            (select "id" from "Fingerprint" order by "firstSeenAt" desc, "id" limit 1) as rare`,
  );
  const loaders = pageLoaders({
    busyAgent: busy?.agentId ?? "loash",
    busyFingerprint: fingerprints?.busy ?? "0000000000000000",
    rareFingerprint: fingerprints?.rare ?? "0000000000000000",
  });
  const caller = appRouter.createCaller({ db, actor: { kind: "operator", name: "bench" } });
  const times = new Map<string, number[][]>(loaders.map((l) => [l.what, []]));
  const pageTimes = new Map<string, number[][]>(Object.keys(PAGES).map((p) => [p, []]));
  const baseline: number[][] = [];
  // Warm up (plans cached, pages in memory); a loader that takes seconds is sampled less, or a
  // run at 10,000,000 turns would take an hour and say nothing more.
  const warm = new Map<string, number>();
  for (const l of loaders) warm.set(l.what, (await sample(2, () => l.run(caller)))[1]!);
  const runsOf = (ms: number) => (ms > 1_000 ? 3 : ms > 250 ? Math.min(runs, 8) : runs);
  for (let r = 0; r < rounds; r++) {
    baseline.push(await sample(runs, () => db.sql.query("select 1")));
    for (const l of loaders) times.get(l.what)!.push(await sample(runsOf(warm.get(l.what)!), () => l.run(caller)));
    for (const [page, groups] of Object.entries(PAGES)) {
      const own = loaders.filter((l) => groups.includes(l.page) || l.page === "every page (layout)");
      const slowest = Math.max(...own.map((l) => warm.get(l.what)!));
      pageTimes
        .get(page)!
        .push(await sample(Math.ceil(runsOf(slowest) / 2), () => Promise.all(own.map((l) => l.run(caller)))));
    }
  }
  const all = (xs: number[][]) => sorted(xs.flat());
  const base = all(baseline);
  const misses: string[] = [];
  const row = (what: string, page: string, xs: number[][], isLoader = true) => {
    const p95s = xs.map((x) => pct(sorted(x), 0.95));
    const flat = all(xs);
    const p95 = pct(flat, 0.95);
    if (isLoader && p95 >= PAGE_TARGET_MS) misses.push(`${label}: ${what} (${p95.toFixed(0)} ms)`);
    return {
      db: label,
      page,
      loader: what,
      calls: flat.length,
      "p50 ms": pct(flat, 0.5).toFixed(1),
      "p95 ms": p95.toFixed(1),
      "p95 per round min/med/max": `${Math.min(...p95s).toFixed(0)}/${median(p95s).toFixed(0)}/${Math.max(...p95s).toFixed(0)}`,
      "select 1 p50/p95 ms": `${pct(base, 0.5).toFixed(2)}/${pct(base, 0.95).toFixed(2)}`,
      [`p95 < ${PAGE_TARGET_MS} ms`]: p95 < PAGE_TARGET_MS ? "yes" : "NO",
    };
  };
  const rows = [
    ...loaders.map((l) => row(l.what, l.page, times.get(l.what)!)),
    ...Object.keys(PAGES).map((p) => row("whole page, loaders at once", p, pageTimes.get(p)!, false)),
  ];
  return { fill, rows, sizes: await tableSizes(db), misses };
}
