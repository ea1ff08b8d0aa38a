// `npm run bench`: timings as a table, each beside a baseline measured in the same run
// (these machines are shared and noisy; never assert timings in tests).
import { performance } from "node:perf_hooks";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";
import { seed } from "@/server/db/seed";
import { readFleetOverview } from "@/server/fleet/read-fleet-overview";
import { readDailyTotals } from "@/server/fleet/read-daily-totals";
import { classifyTask } from "@/server/core/classifier/classify-task";
import { decideRoute, type RouteContext } from "@/server/core/routing/decide-route";
import { SEED_CATALOGUE } from "@/server/core/catalogue";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { LABELLED_SETS, readLabelledSet } from "./labelled-sets";
import { benchGateway } from "./bench-gateway";
import { benchPages, PAGE_TARGET_MS } from "./bench-pages";
import { benchSpool } from "./bench-spool";
import { benchIngest } from "./bench-ingest";
import { benchMemory, readMemoryBenchArgs } from "./bench-memory";
import { benchInstances, readInstancesBenchArgs } from "./bench-instances";
import { benchJsonLimits } from "./bench-json-limits";
import { percentile as pct } from "@/server/core/stats";

type Row = { what: string; runs: number; p50: number; p95: number; baselineP50: number };

async function sample(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

async function benchDb(label: string, db: Db, rows: Row[]) {
  const t0 = performance.now();
  await applyMigrations(db);
  const migrateMs = performance.now() - t0;
  const t1 = performance.now();
  const report = await seed(db, { demo: true });
  const seedMs = performance.now() - t1;
  console.log(
    `${label}: migrations ${migrateMs.toFixed(0)} ms; demo seed ${seedMs.toFixed(0)} ms for ${report.demoTurns} turns`,
  );
  const baseline = await sample(50, () => db.sql.query("select 1"));
  const add = async (what: string, fn: () => Promise<unknown>) => {
    await fn();
    const t = await sample(30, fn);
    rows.push({
      what: `${label}: ${what}`,
      runs: t.length,
      p50: pct(t, 0.5),
      p95: pct(t, 0.95),
      baselineP50: pct(baseline, 0.5),
    });
  };
  await add("fleet overview", () => readFleetOverview(db));
  await add("daily totals, 30 days", () => readDailyTotals(db, 30));
  await add("daily totals, 90 days", () => readDailyTotals(db, 90));
}

/** Per-decision latency over the labelled tasks, in microseconds, beside a trivial string baseline. */
function benchClassifier() {
  const tasks = LABELLED_SETS.flatMap((name) => readLabelledSet(name));
  const ctx: RouteContext = {
    agent: null,
    taskTypes: SEED_CATALOGUE,
    classify: classifyTask,
    health: { status: "up" },
    settings: { ...DEFAULT_SETTINGS },
  };
  const rounds = 40;
  const measure = (fn: (t: (typeof tasks)[number]) => unknown) => {
    for (const t of tasks) fn(t); // warm up
    const times: number[] = [];
    const start = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const t of tasks) {
        const t0 = performance.now();
        fn(t);
        times.push((performance.now() - t0) * 1000);
      }
    }
    const totalMs = performance.now() - start;
    // Each task's median over the rounds filters the machine's noise (GC, other processes) out of
    // the per-task cost; its p99 says what the slowest tasks cost.
    const perTask = tasks.map((_, i) => {
      const own = Array.from({ length: rounds }, (_, r) => times[r * tasks.length + i]!).sort((a, b) => a - b);
      return own[Math.floor(rounds / 2)]!;
    });
    perTask.sort((a, b) => a - b);
    times.sort((a, b) => a - b);
    return {
      decisions: times.length,
      perSecond: Math.round((times.length / totalMs) * 1000),
      p50: pct(times, 0.5),
      p99: pct(times, 0.99),
      taskP99: pct(perTask, 0.99),
      max: times.at(-1)!,
    };
  };
  const baseline = measure((t) => `${t.title}\n${t.description ?? ""}`.toLowerCase().split(/\s+/).length);
  const classify = measure((t) => classifyTask({ title: t.title, description: t.description }));
  const route = measure((t) => decideRoute({ title: t.title, description: t.description }, ctx));
  console.log(
    `\nClassifier over ${tasks.length} labelled tasks x ${rounds} rounds (target: p99 under 50 us a decision)`,
  );
  console.table(
    [
      ["baseline: lower-case and split the text", baseline],
      ["classifyTask", classify],
      ["decideRoute (classifier + precedence + health)", route],
    ].map(([what, m]) => {
      const r = m as ReturnType<typeof measure>;
      return {
        what,
        decisions: r.decisions,
        "per second": r.perSecond.toLocaleString("en-US"),
        "p50 us": r.p50.toFixed(1),
        "p99 us": r.p99.toFixed(1),
        "p99 of per-task medians us": r.taskP99.toFixed(1),
        "max us": r.max.toFixed(0),
      };
    }),
  );
}

/** `--peer portkey` (repeatable, or comma-separated) and `--runs N` (default 3 with a peer, else 0: no side-by-side). */
function gatewayOptions(argv: string[]): { peers: string[]; runs: number } {
  const peers = argv.flatMap((arg, i) => (argv[i - 1] === "--peer" ? arg.split(",").filter(Boolean) : []));
  const r = argv.indexOf("--runs");
  const runs = r > 0 ? Number(argv[r + 1]) : peers.length ? 3 : 0;
  if (!Number.isInteger(runs) || runs < 0) throw new Error(`--runs takes a whole number, not "${argv[r + 1]}"`);
  return { peers, runs };
}

async function main() {
  if (process.argv.includes("--gateway")) return benchGateway(gatewayOptions(process.argv));
  if (process.argv.includes("--spool")) return benchSpool();
  if (process.argv.includes("--ingest")) return benchIngest();
  if (process.argv.includes("--memory")) return benchMemory(readMemoryBenchArgs(process.argv));
  if (process.argv.includes("--pages")) return benchAllPages();
  if (process.argv.includes("--instances")) return benchInstances(readInstancesBenchArgs(process.argv));
  if (process.argv.includes("--json-limits")) return benchJsonLimits();
  benchClassifier();
  if (process.argv.includes("--classifier")) return;
  benchJsonLimits();
  const rows: Row[] = [];
  const pglite = await openDb({ inMemory: true });
  await benchDb("pglite", pglite, rows);
  await pglite.close();
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) {
    const pg = await openDb({ databaseUrl: url });
    await pg.sql.exec(`drop schema public cascade; create schema public;`);
    await benchDb("postgres", pg, rows);
    await pg.close();
  } else {
    console.log("(set BENCH_DATABASE_URL to a throwaway Postgres database to bench the server too; it is wiped)");
  }
  console.table(
    rows.map((r) => ({
      what: r.what,
      runs: r.runs,
      "p50 ms": r.p50.toFixed(2),
      "p95 ms": r.p95.toFixed(2),
      "baseline select 1 p50 ms": r.baselineP50.toFixed(2),
    })),
  );
  await benchAllPages();
  await benchGateway(gatewayOptions(process.argv));
}

/**
 * Every page's data with 1,000,000 turns (or --turns N): on PGlite (up to 1,000,000 turns: an
 * in-memory PGlite holds its whole database in the WebAssembly heap) and, when BENCH_DATABASE_URL
 * or TEST_DATABASE_URL names a Postgres server, in a database of its own there
 * (offload_bench_pages), created for the run and dropped after it (--keep-db keeps it; --reuse-db
 * times a kept one again without filling, after applying any new migration).
 */
async function benchAllPages() {
  const i = process.argv.indexOf("--turns");
  const count = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
  const keep = process.argv.includes("--keep-db");
  const reuse = process.argv.includes("--reuse-db");
  const rows: Record<string, string | number>[] = [];
  const sizes: Record<string, string | number>[] = [];
  const misses: string[] = [];
  const collect = (label: string, r: Awaited<ReturnType<typeof benchPages>>) => {
    rows.push(...r.rows);
    sizes.push(...r.sizes.map((s) => ({ db: label, ...s })));
    misses.push(...r.misses);
  };
  if (count <= 1_000_000 && !reuse) {
    const pglite = await openDb({ inMemory: true });
    await applyMigrations(pglite);
    collect("pglite", await benchPages("pglite", pglite, count));
    await pglite.close();
  } else {
    console.log(`(PGlite left out: ${count.toLocaleString("en-US")} turns exceed what an in-memory PGlite holds)`);
  }
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) {
    const name = "offload_bench_pages";
    const admin = await openDb({ databaseUrl: url, poolMax: 1 });
    const exists = (await admin.sql.query(`select 1 from pg_database where datname = $1`, [name])).length > 0;
    if (!reuse || !exists) {
      await admin.sql.exec(`drop database if exists "${name}" with (force)`);
      await admin.sql.exec(`create database "${name}"`);
    }
    const target = new URL(url);
    target.pathname = `/${name}`;
    const pg = await openDb({ databaseUrl: target.toString() });
    try {
      await applyMigrations(pg);
      collect("postgres", await benchPages("postgres", pg, count, { reuse: reuse && exists }));
    } finally {
      await pg.close();
      if (!keep) await admin.sql.exec(`drop database if exists "${name}" with (force)`);
      await admin.close();
    }
  } else {
    console.log(
      "(set BENCH_DATABASE_URL to a Postgres server to bench it too: the bench makes and drops a database of its own there)",
    );
  }
  console.log(`\nDashboard loaders with the turns above (target: every loader under ${PAGE_TARGET_MS} ms at p95)`);
  console.table(rows);
  console.log("\nTable and index sizes");
  console.table(sizes);
  console.log(
    misses.length ? `\nOver the target at p95:\n  ${misses.join("\n  ")}` : "\nEvery loader under the target at p95.",
  );
}

void main();
