// `npm run bench -- --ingest [--turns N]`: how many turns a second the turn writer's SQL stores
// (server/db/record-turns.ts: multi-row inserts of 1,000 with DailyUsage and FingerprintDailyUsage
// upserted in the same transaction), on the embedded database and, with BENCH_DATABASE_URL (wiped),
// on Postgres; with one writer, as one instance flushes, and with four at once, as four instances
// would. The turns carry fingerprints as the gateway's do (three recurring instructions per agent and
// task type). Each row of the table checks what it stored: the Turn rows, DailyUsage's turns and
// FingerprintDailyUsage's turns all equal the turns sent (none lost, none counted twice). The
// baseline is a batch of `select 1` round trips in the same run.
import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";
import { seedCatalogue } from "@/server/db/seed";
import { recordTurns } from "@/server/db/record-turns";
import { testTurn } from "@/server/testing/turn-fixture";
import { SEED_CATALOGUE } from "@/server/core/catalogue";
import type { TurnRecord } from "@/server/core/turn-record";

const BATCH = 1_000;
const AGENTS = 50;

/** A recurring instruction of an agent and task type (one of three), as the gateway fingerprints it. */
function fingerprintFor(agentId: string, taskTypeId: string, k: number): { id: string; template: string } {
  const template = `${taskTypeId} instruction ${k} of ${agentId}`;
  return { id: crypto.createHash("sha256").update(template).digest("hex").slice(0, 16), template };
}

function turnsFor(count: number, offset: number): TurnRecord[] {
  const types = SEED_CATALOGUE.map((t) => t.id);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const claude = n % 3 === 0;
    const agentId = `agent-${n % AGENTS}`;
    const taskTypeId = types[n % types.length]!;
    return testTurn({
      agentId,
      taskTypeId,
      fingerprint: fingerprintFor(agentId, taskTypeId, (n % 7) % 3),
      lane: claude ? "claude" : "local",
      servedModel: claude ? "claude-opus-4-6" : "qwen3:8b",
      inputTokens: 1_000 + (n % 500),
      outputTokens: 50 + (n % 50),
      costMicroUsd: claude ? 6_250n : 20n,
      counterfactualMicroUsd: 6_250n,
      startedAt: new Date(now - (n % 86_400) * 1000),
    });
  });
}

async function prepare(db: Db): Promise<void> {
  await applyMigrations(db);
  await seedCatalogue(db);
  await db.prisma.agent.createMany({
    data: Array.from({ length: AGENTS }, (_, i) => ({ id: `agent-${i}`, name: `Agent ${i}` })),
  });
}

async function measure(label: string, db: Db, total: number, writers: number) {
  await db.sql.exec(
    `delete from "Turn"; delete from "DailyUsage"; delete from "FingerprintDailyUsage"; delete from "DailyUsageTotal";`,
  );
  const perWriter = Math.floor(total / writers);
  const batches = Array.from({ length: writers }, (_, w) => {
    const turns = turnsFor(perWriter, w * perWriter);
    return Array.from({ length: Math.ceil(turns.length / BATCH) }, (_, b) => turns.slice(b * BATCH, (b + 1) * BATCH));
  });
  const t0 = performance.now();
  await Promise.all(
    batches.map(async (own) => {
      for (const batch of own) await recordTurns(db, batch);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sent = perWriter * writers;
  const [stored] = await db.sql.query<{ n: number }>(`select count(*)::int as n from "Turn"`);
  const [daily] = await db.sql.query<{ n: number }>(`select coalesce(sum("turns"), 0)::int as n from "DailyUsage"`);
  const [recurring] = await db.sql.query<{ n: number }>(
    `select coalesce(sum("turns"), 0)::int as n from "FingerprintDailyUsage"`,
  );
  const t1 = performance.now();
  for (let i = 0; i < 200; i++) await db.sql.query("select 1");
  const roundTripMs = (performance.now() - t1) / 200;
  return {
    database: label,
    writers,
    turns: sent,
    seconds: seconds.toFixed(1),
    "turns/s": Math.round(sent / seconds).toLocaleString("en-US"),
    "Turn rows": stored!.n,
    "DailyUsage turns": daily!.n,
    "FingerprintDailyUsage turns": recurring!.n,
    exact: stored!.n === sent && daily!.n === sent && recurring!.n === sent ? "yes" : "NO",
    "baseline select 1 ms": roundTripMs.toFixed(3),
  };
}

export async function benchIngest(): Promise<void> {
  const i = process.argv.indexOf("--turns");
  const total = i > 0 ? Number(process.argv[i + 1]) : 200_000;
  const rows: Record<string, string | number>[] = [];
  const pglite = await openDb({ inMemory: true });
  await prepare(pglite);
  rows.push(await measure("pglite", pglite, total, 1));
  await pglite.close();
  // As the server runs it: Postgres on a thread of its own, the writer's statements sent to it.
  const threaded = await openDb({ inMemory: true, ownThread: true });
  await prepare(threaded);
  rows.push(await measure("pglite (own thread)", threaded, total, 1));
  await threaded.close();
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (url) {
    const pg = await openDb({ databaseUrl: url, poolMax: 8 });
    await pg.sql.exec(`drop schema public cascade; create schema public;`);
    await prepare(pg);
    rows.push(await measure("postgres", pg, total, 1));
    rows.push(await measure("postgres", pg, total, 4));
    await pg.close();
  } else {
    console.log("(set BENCH_DATABASE_URL to a throwaway Postgres database to bench the server too; it is wiped)");
  }
  console.log(
    `\nTurn ingestion: batches of ${BATCH.toLocaleString("en-US")} turns of ${AGENTS} agents (target: 10,000 turns/s on Postgres)`,
  );
  console.table(rows);
}
