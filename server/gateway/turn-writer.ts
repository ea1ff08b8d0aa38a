// Turns are written after the response completes, never on the agent's time: the gateway queues
// them here and a flush writes each batch (turns + DailyUsage) in one transaction. Pending turns
// are flushed on shutdown, after in-flight requests finish. A failed flush keeps its turns and
// retries, so none is lost while the database is briefly away.
import type { Db } from "@/server/db/client";
import { recordTurns } from "@/server/db/record-turns";
import type { TurnRecord } from "@/server/core/turn-record";
import { processSlot } from "@/server/process/process-registry";

const FLUSH_EVERY_MS = 200;
const MAX_BATCH = 1_000;

export type WriterState = {
  pending: TurnRecord[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  inFlight: number;
  idle: (() => void)[];
  shuttingDown: boolean;
  db: (() => Promise<Db>) | null;
};

const state = processSlot("turnWriter", () => ({
  pending: [],
  timer: null,
  flushing: null,
  inFlight: 0,
  idle: [],
  shuttingDown: false,
  db: null,
}));

/** Where turns go; set once by the server (and by tests). */
export function configureTurnWriter(db: () => Promise<Db>): void {
  state.db = db;
}

function schedule(): void {
  if (state.timer || state.flushing) return;
  state.timer = setTimeout(() => {
    state.timer = null;
    void flushTurns();
  }, FLUSH_EVERY_MS);
  state.timer.unref();
}

export function enqueueTurns(...turns: TurnRecord[]): void {
  state.pending.push(...turns);
  schedule();
}

/** Writes everything queued so far; resolves when it is stored (or throws, keeping the turns queued). */
export async function flushTurns(): Promise<void> {
  while (state.flushing) await state.flushing.catch(() => {});
  if (state.pending.length === 0 || !state.db) return;
  const batch = state.pending.splice(0, MAX_BATCH);
  state.flushing = (async () => {
    try {
      await recordTurns(await state.db!(), batch);
    } catch (err) {
      state.pending.unshift(...batch);
      console.error(`offload: could not record ${batch.length} turn(s), will retry: ${(err as Error).message}`);
      throw err;
    } finally {
      state.flushing = null;
      if (state.pending.length) schedule();
    }
  })();
  await state.flushing;
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
    console.error(`offload: ${state.pending.length} turn(s) could not be recorded before shutdown`);
}

/** For tests: forget the shutdown state. */
export function resetTurnWriter(): void {
  state.shuttingDown = false;
  state.pending = [];
  state.inFlight = 0;
}
