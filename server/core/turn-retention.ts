// Retiring raw turns after the operator's retention period (docs/scaling-turns.md, "Retiring raw
// turns after a retention period"): the date math, pure. The cut is a whole UTC day, so that every
// day of DailyUsage is either wholly backed by its turns or wholly retired; the day the turns are
// kept from (turnsRetainedFrom) only ever moves forward, since a retired turn never comes back.

const DAY_MS = 86_400_000;

/** 0: keep every turn (the default). Otherwise at least 31 days: the unpriced-models notice reads
 *  30 days of Turn and must agree with DailyUsage. */
export const KEEP_EVERY_TURN = 0;
export const MIN_RETENTION_DAYS = 31;
/** Ten years: beyond that, keep every turn. */
export const MAX_RETENTION_DAYS = 3_650;

/** Midnight UTC of the day an instant falls on. */
function startOfUtcDay(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS) * DAY_MS;
}

/**
 * The cutover for a retention period: midnight UTC `retentionDays` days before today (UTC); turns
 * that started before it are retired. null when every turn is kept (0). With 31 days on
 * 2026-11-30 at any hour: 2026-10-30T00:00Z (today and the 31 whole days before it stay).
 */
export function retentionCutover(now: Date, retentionDays: number): Date | null {
  if (retentionDays <= KEEP_EVERY_TURN) return null;
  return new Date(startOfUtcDay(now) - retentionDays * DAY_MS);
}

/**
 * The day turns are kept from after a run: the later of the one recorded and the cutover. Never
 * earlier than the one recorded (a longer period, or retention switched off, cannot bring retired
 * turns back); null while no turn was ever retired.
 */
export function nextRetainedFrom(recorded: Date | null, cutover: Date | null): Date | null {
  if (!cutover) return recorded;
  if (!recorded) return cutover;
  return cutover.getTime() > recorded.getTime() ? cutover : recorded;
}

/** The start of the range a reader of Turn can still rebuild or reprice: `from`, moved up to turnsRetainedFrom. */
export function clampToRetained(from: Date, retainedFrom: Date | null): Date {
  return retainedFrom && retainedFrom.getTime() > from.getTime() ? retainedFrom : from;
}

/** A retained-from day as stored and shown: YYYY-MM-DD (a UTC midnight). */
export function retainedFromDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** A stored YYYY-MM-DD as the UTC midnight it names, or null when it is not one. */
export function parseRetainedFromDay(text: unknown): Date | null {
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const at = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(at.getTime()) || retainedFromDay(at) !== text ? null : at;
}
