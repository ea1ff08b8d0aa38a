// What the server does once when it starts: open the database, apply migrations, seed, and leave
// its address and a local credential in the data folder for the CLI. Failures end the process with one line.
import crypto from "node:crypto";
import fs from "node:fs";
import { env as readProcessEnv } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { getDb, closeDb } from "@/server/db/instance";
import { applyMigrations } from "@/server/db/migrate";
import { seed } from "@/server/db/seed";
import { resolveDataDir } from "@/server/db/data-dir";
import { setCliToken } from "@/server/auth/admin-auth";
import { configureTurnWriter, drainGateway } from "@/server/gateway/turn-writer";
import { startHealthMonitor, stopHealthMonitor } from "@/server/health/health-monitor";
import { markInterruptedSmokeRuns } from "@/server/smoke/run-smoke";
import { startSmokeRunSweep } from "@/server/smoke/sweep-smoke-runs";

export type ServerContact = { url: string; token: string; pid: number };

function fail(message: string): never {
  console.error(`offload: ${message}`);
  process.exit(1);
}

/**
 * Boots once per process, whoever asks first: the production server (server/runtime/serve.ts) before it
 * answers anything, and Next's instrumentation (the only caller under `next dev`). The promise
 * lives in the process registry because the two callers load separate copies of this module.
 */
export function bootServer(): Promise<void> {
  return processSlot("boot", boot);
}

async function boot(): Promise<void> {
  let env;
  try {
    env = readProcessEnv();
  } catch (err) {
    fail((err as Error).message);
  }
  let db;
  try {
    db = await getDb();
  } catch (err) {
    fail((err as Error).message);
  }
  try {
    const migrations = await applyMigrations(db);
    for (const w of migrations.warnings) console.warn(`offload: ${w}`);
    if (migrations.applied.length) console.log(`offload: applied ${migrations.applied.length} migration(s)`);
    const report = await seed(db, { demo: env.OFFLOAD_DEMO === "on" });
    if (report.demoTurns)
      console.log(
        `offload: seeded the demo fleet (${report.demoAgents} agents, ${report.demoTurns} turns over 30 days)`,
      );
    const interrupted = await markInterruptedSmokeRuns(db);
    if (interrupted) console.log(`offload: marked ${interrupted} smoke run(s) interrupted by the last stop`);
  } catch (err) {
    fail(`could not prepare the database (${db.location}): ${(err as Error).message}`);
  }

  configureTurnWriter(getDb);
  startHealthMonitor(getDb);
  startSmokeRunSweep(getDb);
  const token = crypto.randomBytes(32).toString("base64url");
  setCliToken(token);
  const serverFile = resolveDataDir(env.OFFLOAD_DATA_DIR).serverFile;
  if (db.kind === "pglite") {
    const contact: ServerContact = { url: `http://127.0.0.1:${env.PORT}`, token, pid: process.pid };
    fs.writeFileSync(serverFile, JSON.stringify(contact), { mode: 0o600 });
  }
  const shutdown = async (signal: NodeJS.Signals) => {
    stopHealthMonitor();
    // Finish the turns in flight and write every pending one before the database closes.
    await drainGateway().catch((err: Error) => console.error(`offload: ${err.message}`));
    try {
      const contact = JSON.parse(fs.readFileSync(serverFile, "utf8")) as ServerContact;
      if (contact.pid === process.pid) fs.rmSync(serverFile, { force: true });
    } catch {
      // no contact file: nothing to remove
    }
    await closeDb().catch(() => {});
    process.exit(signal === "SIGINT" ? 130 : 0);
  };
  // The first signal starts the drain; repeats (a supervisor and `npm start` both passing it on)
  // must not kill the process half-way through it. The drain itself is bounded (15 s).
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void shutdown(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  if (!env.OFFLOAD_ADMIN_TOKEN) {
    console.warn(
      "offload: OFFLOAD_ADMIN_TOKEN is not set: the dashboard and admin API are open to anyone who can reach this port",
    );
  }
  console.log(
    `offload: ready on http://localhost:${env.PORT} (database: ${db.kind === "pglite" ? `embedded, ${db.location}` : `postgres, ${db.location}`})`,
  );
}
