// Liveness of the app and its database, for GET /api/health.
import { getDb } from "@/server/db/instance";

export type HealthReport = {
  status: 200 | 503;
  body: { status: "ok"; db: "pglite" | "postgres" } | { status: "error"; reason: string };
};

export async function checkHealth(timeoutMs = 3_000): Promise<HealthReport> {
  try {
    const db = await getDb();
    await Promise.race([
      db.sql.query("select 1"),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { status: 200, body: { status: "ok", db: db.kind } };
  } catch (err) {
    return { status: 503, body: { status: "error", reason: (err as Error).message } };
  }
}
