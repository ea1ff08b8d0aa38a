// GET /api/v1/ollama/health: the current verdict as JSON, for the admin token (Authorization: Bearer).
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { resolveAdminActor } from "@/server/auth/admin-auth";
import { errorResponse } from "@/server/http/error-response";
import { readHealthStatus } from "./read-health";

export async function handleHealthRequest(request: Request, database?: Db): Promise<Response> {
  try {
    if (!(await resolveAdminActor(request.headers, database)))
      throw new OffloadError("UNAUTHORIZED", "send the admin token (OFFLOAD_ADMIN_TOKEN) as Authorization: Bearer");
    const db = database ?? (await getDb());
    return Response.json(await readHealthStatus(db), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
