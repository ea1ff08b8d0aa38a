// `npm run bench`: timings as a table, each beside a baseline measured in the same run
// (these machines are shared and noisy; never assert timings in tests).
import { performance } from "node:perf_hooks";
import { openDb, type Db } from "./db/client";
import { applyMigrations } from "./db/migrate";
import { seed } from "./db/seed";
import { readFleetOverview } from "./fleet/read-fleet-overview";
import { readDailyTotals } from "./fleet/read-daily-totals";

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
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function benchDb(label: string, db: Db, rows: Row[]) {
  const t0 = performance.now();
  await applyMigrations(db);
  const migrateMs = performance.now() - t0;
  const t1 = performance.now();
  const report = await seed(db, { demo: true });
  const seedMs = performance.now() - t1;
  console.log(`${label}: migrations ${migrateMs.toFixed(0)} ms; demo seed ${seedMs.toFixed(0)} ms for ${report.demoTurns} turns`);
  const baseline = await sample(50, () => db.sql.query("select 1"));
  const add = async (what: string, fn: () => Promise<unknown>) => {
    await fn();
    const t = await sample(30, fn);
    rows.push({ what: `${label}: ${what}`, runs: t.length, p50: pct(t, 0.5), p95: pct(t, 0.95), baselineP50: pct(baseline, 0.5) });
  };
  await add("fleet overview", () => readFleetOverview(db));
  await add("daily totals, 30 days", () => readDailyTotals(db, 30));
  await add("daily totals, 90 days", () => readDailyTotals(db, 90));
}

async function main() {
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
  console.table(rows.map((r) => ({ what: r.what, runs: r.runs, "p50 ms": r.p50.toFixed(2), "p95 ms": r.p95.toFixed(2), "baseline select 1 p50 ms": r.baselineP50.toFixed(2) })));
}

void main();
