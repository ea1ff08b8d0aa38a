// Which days still have their turns: the day raw turns are kept from (turnsRetainedFrom), recorded
// by the retention job (server/turns/retire-turns.ts) before it deletes anything older, in a Setting
// row of its own (not an operator setting: nobody sets it, and it only moves forward). Absent: no turn
// was ever retired. The readers that rebuild or reprice DailyUsage from Turn clamp to it.
//
// The job moves the day under an exclusive transaction-level advisory lock; a reader that must not
// see it move mid-way (a rebuild deletes DailyUsage days and recomputes them from Turn) takes the same
// lock shared in its own transaction and reads the day after it: the job then waits for the reader to
// commit before it moves the day, and deletes only turns before a day that is committed.
import type { Db } from "./client";
import type { Prisma } from "./generated/client";
import { parseRetainedFromDay, retainedFromDay } from "@/server/core/turn-retention";

export const TURNS_RETAINED_FROM_KEY = "turnsRetainedFrom";
/** The last run of the retention job: when, by which process, what it retired. */
export const TURN_RETENTION_LAST_RUN_KEY = "turnRetentionLastRun";
/** Guards turnsRetainedFrom (see above); the migrator, settings and prices use other keys. */
const RETAINED_FROM_LOCK_KEY = 0x0ff10ad7;

type SettingRows = { prisma: Pick<Db["prisma"], "setting"> };

/** The day turns are kept from (UTC midnight), or null when none was ever retired. */
export async function readTurnsRetainedFrom(db: SettingRows): Promise<Date | null> {
  const row = await db.prisma.setting.findUnique({ where: { key: TURNS_RETAINED_FROM_KEY } });
  return row ? parseRetainedFromDay(row.value) : null;
}

/**
 * Inside a transaction: holds turnsRetainedFrom still until the transaction ends, then reads it. For
 * code that reads Turn to rewrite DailyUsage (a rebuild, a repricing).
 */
export async function holdTurnsRetainedFrom(tx: Prisma.TransactionClient): Promise<Date | null> {
  await tx.$queryRawUnsafe(`select 1 as held from (select pg_advisory_xact_lock_shared(${RETAINED_FROM_LOCK_KEY})) l`);
  return readTurnsRetainedFrom({ prisma: tx });
}

/**
 * Moves turnsRetainedFrom forward to `day` (never back: a later day recorded meanwhile stays), once
 * no reader holds it; returns the day in force afterwards.
 */
export async function advanceTurnsRetainedFrom(db: Db, day: Date): Promise<Date> {
  return db.prisma.$transaction(async (tx) => {
    await tx.$queryRawUnsafe(`select 1 as locked from (select pg_advisory_xact_lock(${RETAINED_FROM_LOCK_KEY})) l`);
    const recorded = await readTurnsRetainedFrom({ prisma: tx });
    if (recorded && recorded.getTime() >= day.getTime()) return recorded;
    const value = retainedFromDay(day);
    await tx.setting.upsert({
      where: { key: TURNS_RETAINED_FROM_KEY },
      create: { key: TURNS_RETAINED_FROM_KEY, value },
      update: { value },
    });
    return day;
  });
}
