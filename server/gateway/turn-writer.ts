// Turns are written after the response completes, never on the agent's time: the gateway queues
// them here and a flush writes each batch (turns + DailyUsage) in one transaction. What is queued
// was made storable first (core/turns/sanitise-turn.ts) and, in the server, appended to the turn
// spool (turn-spool.ts) before the answer completed, so an answered turn survives kill -9.
// A batch the database refuses is split in halves until the row it refuses is alone; that row goes
// to DeadTurn (or, if even that fails, to a dead-letter file in the data folder) with its error,
// and never blocks the rows behind it. While the database is away, batches stay queued and retry.
// Pending turns are flushed on shutdown, after in-flight requests finish.
import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/server/db/client";
import { recordTurns } from "@/server/db/record-turns";
import type { TurnRecord } from "@/server/core/turn-record";
import { sanitiseTurn, storableText } from "@/server/core/turns/sanitise-turn";
import { processSlot } from "@/server/process/process-registry";
import { spoolLine, TurnSpool } from "./turn-spool";
import { countTurns, readWriterDepthWith } from "@/server/metrics/offload-metrics";
import { log, outsideRequestLog } from "@/server/process/log";

const FLUSH_EVERY_MS = 200;
const RETRY_AFTER_FAILURE_MS = 1_000;
const MAX_BATCH = 1_000;

export type WriterState = {
  pending: TurnRecord[];
  /** Turns taken from `pending` by the flush under way and not yet settled (stored, set aside or put back). */
  writing: number;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  inFlight: number;
  idle: (() => void)[];
  shuttingDown: boolean;
  db: (() => Promise<Db>) | null;
  spool: TurnSpool | null;
  /** Where a turn goes when not even DeadTurn takes it (the data folder). */
  deadLetterFile: string | null;
  /** Rows moved to DeadTurn or the dead-letter file since start. */
  deadLettered: number;
  /** When the last flush failed because the database did not answer (null: it answered). */
  unreachableSince: number | null;
};

const state = processSlot("turnWriter", () => ({
  pending: [],
  writing: 0,
  timer: null,
  flushing: null,
  inFlight: 0,
  idle: [],
  shuttingDown: false,
  db: null,
  spool: null,
  deadLetterFile: null,
  deadLettered: 0,
  unreachableSince: null,
}));

export type TurnWriterOptions = {
  /** The spool folder (the server's data folder/spool); without it turns are kept in memory only. */
  spoolDir?: string;
  /** The file for turns neither Turn nor DeadTurn would take. */
  deadLetterFile?: string;
  /** fdatasync each group of spooled turns (default), or only write them (see TurnSpool). */
  spoolSync?: boolean;
};

/** Where turns go; set once by the server (and by tests). */
export function configureTurnWriter(db: () => Promise<Db>, options: TurnWriterOptions = {}): void {
  state.db = db;
  readWriterDepthWith(() => {
    const status = turnWriterStatus();
    return { pending: status.pending, spooled: status.spooled, deadLettered: status.deadLetteredSinceStart };
  });
  state.spool?.close();
  state.spool = options.spoolDir ? new TurnSpool(options.spoolDir, options.spoolSync ?? true) : null;
  state.deadLetterFile = options.deadLetterFile ?? null;
}

function schedule(delayMs = FLUSH_EVERY_MS): void {
  if (state.timer || state.flushing) return;
  // The flush serves every request's turns: its lines are not those of the request that started the timer.
  state.timer = outsideRequestLog(() =>
    setTimeout(() => {
      state.timer = null;
      void flushTurns().catch(() => {});
    }, delayMs),
  );
  state.timer.unref();
}

/**
 * Queues turns for the database. Resolves once they are durable: on disk in the spool when the
 * server has one (the gateway holds the end of its answer until then), at once otherwise.
 */
export function enqueueTurns(...turns: TurnRecord[]): Promise<void> {
  const clean = turns.map(sanitiseTurn);
  countTurns(clean);
  state.pending.push(...clean);
  schedule();
  if (!state.spool) return Promise.resolve();
  // A spool that cannot write (disk full) must not fail the answer: the turn is still queued.
  return state.spool.append(clean).catch((err: Error) => {
    log.error({ err, turns: clean.length }, "could not spool the turn(s)");
  });
}

/** Whether the database answers at all (a refused batch is then the rows' fault, not the connection's). */
async function answers(db: Db): Promise<boolean> {
  try {
    await db.prisma.$queryRawUnsafe("select 1");
    return true;
  } catch {
    return false;
  }
}

class DatabaseAway extends Error {}

/**
 * The SQLSTATE behind a database error, if any: the driver's own error (pg's or PGlite's, which the
 * turn writer's SQL raises; a server's error carries a severity, a socket's does not) or Prisma's
 * driver adapter error wrapping it.
 */
function sqlState(err: unknown): string | null {
  const driver = err as { code?: unknown; severity?: unknown } | null;
  if (typeof driver?.code === "string" && typeof driver.severity === "string") return driver.code;
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta
    ?.driverAdapterError?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : null;
}

/**
 * Whether the database refused the rows themselves (a data exception, an integrity violation, a
 * program limit: SQLSTATE classes 22, 23, 54), as opposed to a timeout, a lost connection or a
 * deadlock, which are retried and never dead-letter a turn.
 */
function refusedRows(err: unknown): boolean {
  const code = sqlState(err);
  return code !== null && ["22", "23", "54"].includes(code.slice(0, 2));
}

/** A turn the database will not store, kept with its error: in DeadTurn, else in the dead-letter file. */
async function deadLetter(db: Db, turn: TurnRecord, err: unknown): Promise<void> {
  const error = storableText((err as Error)?.message ?? String(err), 2_000);
  const line = spoolLine(turn);
  state.deadLettered++;
  log.error({ turnId: turn.id, error }, "the turn could not be stored and was set aside");
  try {
    await db.prisma.deadTurn.upsert({
      where: { id: turn.id },
      create: { id: turn.id, payload: JSON.parse(line) as object, error },
      update: { error },
    });
  } catch (deadErr) {
    if (!state.deadLetterFile) throw new DatabaseAway((deadErr as Error).message);
    fs.mkdirSync(path.dirname(state.deadLetterFile), { recursive: true, mode: 0o700 });
    fs.appendFileSync(state.deadLetterFile, `${JSON.stringify({ error, turn: line })}\n`, { mode: 0o600 });
  }
}

/** Stores the batch, or as much of it as the database takes; `done` collects what is settled. */
async function storeBatch(db: Db, batch: TurnRecord[], done: string[]): Promise<void> {
  try {
    await recordTurns(db, batch);
    done.push(...batch.map((t) => t.id));
    return;
  } catch (err) {
    if (!refusedRows(err) || !(await answers(db))) throw new DatabaseAway((err as Error).message);
    if (batch.length === 1) {
      await deadLetter(db, batch[0]!, err);
      done.push(batch[0]!.id);
      return;
    }
    const half = batch.length >> 1;
    await storeBatch(db, batch.slice(0, half), done);
    await storeBatch(db, batch.slice(half), done);
  }
}

/** Writes everything queued so far; resolves when it is stored (or throws, keeping what was not stored queued). */
export async function flushTurns(): Promise<void> {
  while (state.flushing) await state.flushing.catch(() => {});
  if (state.pending.length === 0 || !state.db) return;
  const batch = state.pending.splice(0, MAX_BATCH);
  state.writing = batch.length;
  const done: string[] = [];
  let failed = false;
  state.flushing = (async () => {
    try {
      await storeBatch(await state.db!(), batch, done);
      state.unreachableSince = null;
    } catch (err) {
      failed = true;
      const stored = new Set(done);
      state.pending.unshift(...batch.filter((t) => !stored.has(t.id)));
      state.unreachableSince ??= Date.now();
      log.warn({ err, turns: batch.length - stored.size }, "could not record the turn(s), will retry");
      throw err;
    } finally {
      // Settled, in the same tick as a failure puts the rest back: the count never misses a turn.
      state.writing = 0;
      // The spool's emptied segments are deleted off the event loop; the flush ends once they are.
      await state.spool?.settle(done);
      state.flushing = null;
      if (state.pending.length) schedule(failed ? RETRY_AFTER_FAILURE_MS : FLUSH_EVERY_MS);
    }
  })();
  await state.flushing;
}

/**
 * At start: the turns a previous process answered and spooled but never stored (it was killed, or
 * the database was away), stored now; those already stored are skipped. Returns how many were stored.
 */
export async function recoverSpooledTurns(db: Db): Promise<number> {
  if (!state.spool) return 0;
  const { turns, files } = state.spool.leftBehind();
  let recovered = 0;
  for (let i = 0; i < turns.length; i += MAX_BATCH) {
    const chunk = turns.slice(i, i + MAX_BATCH).map(sanitiseTurn);
    const ids = chunk.map((t) => t.id);
    const [stored, dead] = await Promise.all([
      db.prisma.turn.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      db.prisma.deadTurn.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    ]);
    const known = new Set([...stored, ...dead].map((r) => r.id));
    const missing = chunk.filter((t) => !known.has(t.id));
    const done: string[] = [];
    await storeBatch(db, missing, done);
    recovered += missing.length;
  }
  for (const file of files) fs.rmSync(file, { force: true });
  return recovered;
}

/** What the writer holds, for /api/health and the Health page. */
export function turnWriterStatus(): {
  /** Answered turns not yet stored: queued, or in the batch a flush is writing now. */
  pending: number;
  spooled: number;
  deadLetteredSinceStart: number;
  databaseUnreachableForMs: number | null;
  /** Since the spool was opened: its group writes (one fdatasync each) and the turns they carried. */
  spoolWrites: { groups: number; turns: number };
} {
  return {
    pending: state.pending.length + state.writing,
    spooled: state.spool?.outstanding ?? 0,
    spoolWrites: { groups: state.spool?.stats.groups ?? 0, turns: state.spool?.stats.turns ?? 0 },
    deadLetteredSinceStart: state.deadLettered,
    databaseUnreachableForMs: state.unreachableSince === null ? null : Date.now() - state.unreachableSince,
  };
}

/** Brackets a gateway request, so that shutdown waits for it. Returns false once shutdown began. */
export function beginRequest(): boolean {
  if (state.shuttingDown) return false;
  state.inFlight++;
  return true;
}

export function endRequest(): void {
  state.inFlight = Math.max(0, state.inFlight - 1);
  if (state.inFlight === 0) state.idle.splice(0).forEach((resolve) => resolve());
}

/** Stops taking requests, waits for the ones in flight (up to `timeoutMs`) and writes every pending turn. */
export async function drainGateway(timeoutMs = 15_000): Promise<void> {
  state.shuttingDown = true;
  if (state.inFlight > 0) {
    await Promise.race([
      new Promise<void>((resolve) => state.idle.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  for (let attempt = 0; attempt < 3 && state.pending.length; attempt++) {
    await flushTurns().catch(() => new Promise((r) => setTimeout(r, 200)));
  }
  if (state.pending.length)
    log.error(
      { turns: state.pending.length },
      `turn(s) could not be recorded before shutdown${state.spool ? "; they stay in the spool and are stored at the next start" : ""}`,
    );
  state.spool?.close();
}

/** For tests: forget the shutdown state. */
export function resetTurnWriter(): void {
  state.shuttingDown = false;
  state.pending = [];
  state.writing = 0;
  state.inFlight = 0;
  state.deadLettered = 0;
  state.unreachableSince = null;
}
