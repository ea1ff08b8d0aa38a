// Liveness of the app and its database, for GET /api/health, with what the turn writer holds:
// turns waiting for the database, turns spooled on disk, and turns set aside because the database
// refused them (DeadTurn). While the database does not answer the gateway keeps serving from its
// last state and spools its turns: the answer is then 503 "degraded", naming why.
import { getDb } from "@/server/db/instance";
import { turnWriterStatus } from "@/server/gateway/turn-writer";

export type TurnsHeld = {
  /** Queued for the database. */
  pending: number;
  /** On disk in the spool, not yet stored. */
  spooled: number;
  /** Refused by the database and kept in DeadTurn (null: unknown while it does not answer). */
  deadLettered: number | null;
};

export type HealthReport = {
  status: 200 | 503;
  body:
    | { status: "ok"; db: "pglite" | "postgres"; turns: TurnsHeld }
    | { status: "degraded"; reason: string; turns: TurnsHeld };
};

export async function checkHealth(timeoutMs = 3_000): Promise<HealthReport> {
  const writer = turnWriterStatus();
  const held = { pending: writer.pending, spooled: writer.spooled };
  try {
    const db = await getDb();
    const [rows] = await Promise.race([
      Promise.all([db.sql.query<{ n: number | string }>(`select count(*)::int as n from "DeadTurn"`)]),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    const deadLettered = Number(rows[0]?.n ?? 0);
    return { status: 200, body: { status: "ok", db: db.kind, turns: { ...held, deadLettered } } };
  } catch (err) {
    return {
      status: 503,
      body: { status: "degraded", reason: (err as Error).message, turns: { ...held, deadLettered: null } },
    };
  }
}
