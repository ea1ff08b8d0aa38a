// What the server does once when it starts: open the database, apply migrations, seed, and leave
// its address and a local credential in the data folder for the CLI. Failures end the process with one line.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env as readProcessEnv, listenAddress } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { getDb, closeDb, onDbLost } from "@/server/db/instance";
import { applyMigrations } from "@/server/db/migrate";
import { seed } from "@/server/db/seed";
import { resolveDataDir } from "@/server/db/data-dir";
import { setCliToken } from "@/server/auth/admin-auth";
import { configureTurnWriter, drainGateway, recoverSpooledTurns } from "@/server/gateway/turn-writer";
import { startHealthMonitor, stopHealthMonitor } from "@/server/health/health-monitor";
import { startChangeNotices, changeNotices } from "@/server/db/change-notices";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { markInterruptedSmokeRuns } from "@/server/smoke/run-smoke";
import { startSmokeRunSweep } from "@/server/smoke/sweep-smoke-runs";
import { startTurnRetention, stopTurnRetention } from "@/server/turns/retire-turns";
import { log } from "@/server/process/log";

export type ServerContact = { url: string; token: string; pid: number };

function fail(message: string): never {
  log.fatal(message);
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
  onDbLost((err) =>
    fail(
      `${err.message}: every query would fail from now on, so the server stops (start it again; answered turns are in the spool)`,
    ),
  );
  let db;
  try {
    db = await getDb();
  } catch (err) {
    fail((err as Error).message);
  }
  try {
    const migrations = await applyMigrations(db);
    for (const w of migrations.warnings) log.warn(w);
    if (migrations.applied.length) log.info(`applied ${migrations.applied.length} migration(s)`);
    const report = await seed(db, { demo: env.OFFLOAD_DEMO === "on" });
    if (report.demoTurns)
      log.info(`seeded the demo fleet (${report.demoAgents} agents, ${report.demoTurns} turns over 30 days)`);
    const interrupted = await markInterruptedSmokeRuns(db);
    if (interrupted) log.info(`marked ${interrupted} smoke run(s) interrupted by the last stop`);
  } catch (err) {
    fail(`could not prepare the database (${db.location}): ${(err as Error).message}`);
  }

  // Turns answered but never stored by a previous process (killed, or the database was away) are
  // in the data folder's spool: store them before taking new turns.
  const dataPaths = resolveDataDir(env.OFFLOAD_DATA_DIR);
  configureTurnWriter(getDb, {
    spoolDir: env.OFFLOAD_TURN_SPOOL === "off" ? undefined : path.join(dataPaths.root, "spool"),
    spoolSync: env.OFFLOAD_TURN_SPOOL === "fsync",
    deadLetterFile: path.join(dataPaths.root, "dead-turns.jsonl"),
  });
  try {
    const recovered = await recoverSpooledTurns(db);
    if (recovered) log.info(`stored ${recovered} turn(s) answered before the last stop but not yet recorded`);
  } catch (err) {
    log.error({ err }, "could not store the spooled turns yet; they stay spooled");
  }
  if (db.kind === "postgres" && env.DATABASE_URL)
    startChangeNotices(env.DATABASE_URL, () => invalidateGatewayState({ fromPeer: true }));
  startHealthMonitor(getDb);
  startSmokeRunSweep(getDb);
  // Raw turns older than the operator's retention period (turnRetentionDays; 0 keeps them all), now
  // and every 10 minutes, one instance at a time.
  startTurnRetention(getDb);
  const token = crypto.randomBytes(32).toString("base64url");
  setCliToken(token);
  const serverFile = resolveDataDir(env.OFFLOAD_DATA_DIR).serverFile;
  if (db.kind === "pglite") {
    const contact: ServerContact = { url: listenAddress(env).localUrl, token, pid: process.pid };
    fs.writeFileSync(serverFile, JSON.stringify(contact), { mode: 0o600 });
  }
  const shutdown = async (signal: NodeJS.Signals) => {
    stopHealthMonitor();
    // A retention run under way ends after its current batch (a short transaction).
    await stopTurnRetention().catch(() => {});
    // Finish the turns in flight and write every pending one before the database closes.
    await drainGateway().catch((err: Error) => log.error({ err }, "the drain failed"));
    try {
      const contact = JSON.parse(fs.readFileSync(serverFile, "utf8")) as ServerContact;
      if (contact.pid === process.pid) fs.rmSync(serverFile, { force: true });
    } catch {
      // no contact file: nothing to remove
    }
    await changeNotices()?.stop();
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
  const listen = listenAddress(env);
  const access = env.OFFLOAD_ADMIN_TOKEN
    ? `${listen.loopbackOnly ? "loopback only" : listen.where}, dashboard behind OFFLOAD_ADMIN_TOKEN`
    : "loopback only, dashboard open without a sign-in";
  log.info(
    `ready on ${listen.localUrl} (${access}; database: ${db.kind === "pglite" ? `embedded, ${db.location}, on ${db.thread === "worker" ? "a thread of its own" : "the server's thread"}` : `postgres, ${db.location}`})`,
  );
}
