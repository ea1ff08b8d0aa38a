// The retention job (docs/scaling-turns.md, "Retiring raw turns after a retention period"): with the
// operator's turnRetentionDays set, raw turns that started before the cutover (midnight UTC that many
// days ago) are deleted; DailyUsage, and every other table, is never touched, so the charts keep every
// day. A run first records the cutover (turnsRetainedFrom, only ever forward), then deletes the older
// turns in short batches, one transaction each, so that the gateway's writer never waits for more
// than a batch. One run at a time across the instances on one Postgres (an advisory lock taken without
// waiting: the others skip their run); PGlite is one process. The server runs it at start and every
// 10 minutes (so that a changed setting applies soon, and a new UTC day's cutover within minutes of
// midnight; a run with nothing to delete is a few small queries); 0 days keeps every turn and deletes
// nothing (what was retired before stays retired: turnsRetainedFrom never moves back).
import type { Db } from "@/server/db/client";
import { readSettings } from "@/server/db/settings";
import {
  advanceTurnsRetainedFrom,
  readTurnsRetainedFrom,
  TURN_RETENTION_LAST_RUN_KEY,
} from "@/server/db/turns-retained-from";
import { retainedFromDay, retentionCutover } from "@/server/core/turn-retention";
import { countRetiredTurns } from "@/server/metrics/offload-metrics";
import { processSlot } from "@/server/process/process-registry";
import { log } from "@/server/process/log";

/** Turns deleted per transaction: short enough that a writer waits for one batch at most. */
export const RETIRE_BATCH_TURNS = 5_000;
/** A breath between batches, for the gateway's writes. */
const PAUSE_BETWEEN_BATCHES_MS = 25;
/** How often the server runs the job: a changed setting applies within this. */
export const RETENTION_EVERY_MS = 10 * 60_000;
/** One run at a time across instances; the migrator, settings, prices and turnsRetainedFrom use other keys. */
const RETENTION_JOB_LOCK_KEY = 0x0ff10ad8;

export type RetireTurnsResult =
  /** turnRetentionDays is 0: every turn is kept. */
  | { status: "off" }
  /** Another run (another instance, or this process) holds the lock: it does the work. */
  | { status: "busy" }
  | {
      status: "done";
      /** The day turns are kept from (YYYY-MM-DD, UTC): every turn before it is retired. */
      retainedFrom: string;
      retired: number;
      batches: number;
      ms: number;
      /** The server is stopping: the run ended after a batch, the rest waits for the next run. */
      stopped: boolean;
    };

export type RetireTurnsOptions = {
  now?: Date;
  batchTurns?: number;
  pauseMs?: number;
  /** Asked before each batch: true ends the run there. */
  shouldStop?: () => boolean;
  /** Called after each batch, with the turns it deleted (tests hold a run here). */
  afterBatch?: (deleted: number) => Promise<void> | void;
};

export type RetentionLastRun = {
  at: string;
  retainedFrom: string;
  retired: number;
  stopped: boolean;
};

const DELETE_BATCH_SQL = `with gone as (
  delete from "Turn" where "id" in (select "id" from "Turn" where "startedAt" < $1::timestamp(3) limit $2)
  returning 1
) select count(*)::int as n from gone`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run of the job: records the cutover, then deletes the turns before it in batches. */
export async function retireTurns(db: Db, options: RetireTurnsOptions = {}): Promise<RetireTurnsResult> {
  const now = options.now ?? new Date();
  const batchTurns = options.batchTurns ?? RETIRE_BATCH_TURNS;
  const pauseMs = options.pauseMs ?? PAUSE_BETWEEN_BATCHES_MS;
  const { turnRetentionDays } = await readSettings(db);
  const cutover = retentionCutover(now, turnRetentionDays);
  if (!cutover) return { status: "off" };
  const run = await db.sql.tryExclusiveLock(RETENTION_JOB_LOCK_KEY, async () => {
    const started = Date.now();
    // Recorded before anything is deleted: from here on the days before it count as retired
    // (a rebuild or a repricing no longer reaches them), and a run cut short resumes from it.
    const retainedFrom = retainedFromDay(await advanceTurnsRetainedFrom(db, cutover));
    let retired = 0;
    let batches = 0;
    let stopped = false;
    for (;;) {
      if (options.shouldStop?.()) {
        stopped = true;
        break;
      }
      const [row] = await db.sql.query<{ n: number }>(DELETE_BATCH_SQL, [retainedFrom, batchTurns]);
      const deleted = Number(row?.n ?? 0);
      if (deleted > 0) {
        retired += deleted;
        batches += 1;
        countRetiredTurns(deleted);
      }
      await options.afterBatch?.(deleted);
      if (deleted < batchTurns) break;
      if (pauseMs > 0) await sleep(pauseMs);
    }
    const lastRun: RetentionLastRun = { at: new Date().toISOString(), retainedFrom, retired, stopped };
    await db.prisma.setting.upsert({
      where: { key: TURN_RETENTION_LAST_RUN_KEY },
      create: { key: TURN_RETENTION_LAST_RUN_KEY, value: lastRun },
      update: { value: lastRun },
    });
    return { status: "done" as const, retainedFrom, retired, batches, ms: Date.now() - started, stopped };
  });
  if (!run.locked) return { status: "busy" };
  const result = run.value;
  const { retainedFrom } = result;
  const fields = { retired: result.retired, retainedFrom, batches: result.batches, ms: result.ms, turnRetentionDays };
  if (result.retired > 0)
    log.info(
      fields,
      `retired ${result.retired.toLocaleString("en-US")} turn(s) that started before ${retainedFrom} (UTC); their daily totals stay`,
    );
  else log.debug(fields, `no turn before ${retainedFrom} (UTC) left to retire`);
  if (result.stopped) log.info(fields, "the turn retention run stopped with the server; the next run goes on");
  return result;
}

/** The last run recorded by any instance, if any. */
export async function readRetentionLastRun(db: Db): Promise<RetentionLastRun | null> {
  const row = await db.prisma.setting.findUnique({ where: { key: TURN_RETENTION_LAST_RUN_KEY } });
  const value = row?.value as Partial<RetentionLastRun> | null | undefined;
  if (!value || typeof value !== "object" || typeof value.at !== "string" || typeof value.retainedFrom !== "string")
    return null;
  return {
    at: value.at,
    retainedFrom: value.retainedFrom,
    retired: Number(value.retired ?? 0),
    stopped: value.stopped === true,
  };
}

export type TurnRetention = {
  /** The operator's setting: 0 keeps every turn. */
  turnRetentionDays: number;
  /** The day raw turns are kept from (YYYY-MM-DD, UTC): earlier ones are retired. null: none ever was. */
  turnsRetainedFrom: string | null;
  /** The day the setting keeps turns from today (the next run retires what is older); null with 0. */
  cutover: string | null;
  lastRun: RetentionLastRun | null;
  /** How often the server runs the job, minutes. */
  everyMinutes: number;
};

/** The retention period in force and what it did, for the Settings and Turns pages. */
export async function readTurnRetention(db: Db, now: Date = new Date()): Promise<TurnRetention> {
  const [{ turnRetentionDays }, retainedFrom, lastRun] = await Promise.all([
    readSettings(db),
    readTurnsRetainedFrom(db),
    readRetentionLastRun(db),
  ]);
  const cutover = retentionCutover(now, turnRetentionDays);
  return {
    turnRetentionDays,
    turnsRetainedFrom: retainedFrom ? retainedFromDay(retainedFrom) : null,
    cutover: cutover ? retainedFromDay(cutover) : null,
    lastRun,
    everyMinutes: RETENTION_EVERY_MS / 60_000,
  };
}

export type RetentionJobState = {
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  stopping: boolean;
};
const state = processSlot("turnRetention", () => ({ timer: null, running: null, stopping: false }));

/** Runs the job now and every `everyMs` (once per process; never two runs of this process at once). */
export function startTurnRetention(getDb: () => Promise<Db>, everyMs = RETENTION_EVERY_MS): void {
  if (state.timer) return;
  state.stopping = false;
  const tick = () => {
    if (state.running || state.stopping) return;
    state.running = (async () => {
      try {
        await retireTurns(await getDb(), { shouldStop: () => state.stopping });
      } catch (err) {
        log.error({ err }, "the turn retention run failed; the next run tries again");
      } finally {
        state.running = null;
      }
    })();
  };
  tick();
  state.timer = setInterval(tick, everyMs);
  state.timer.unref();
}

/** Stops the job: no new run; a run under way ends after its current batch (waited for up to `waitMs`). */
export async function stopTurnRetention(waitMs = 5_000): Promise<void> {
  state.stopping = true;
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
  if (!state.running) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([state.running, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
}
