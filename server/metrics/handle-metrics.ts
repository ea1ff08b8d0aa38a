// GET /metrics: Prometheus's text format. Without an admin token the server listens on loopback only
// and its admin surface is open to this machine, so are the metrics; with one (or with
// OFFLOAD_METRICS_TOKEN) a scraper sends the metrics token or the admin token as a bearer token.
import "server-only";
import { env } from "@/server/process/env";
import { bearerToken, isValidAdminToken, sameSecret } from "@/server/auth/admin-auth";
import { renderMetrics } from "./offload-metrics";

export async function handleMetrics(request: Request): Promise<Response> {
  const { OFFLOAD_ADMIN_TOKEN, OFFLOAD_METRICS_TOKEN } = env();
  if (OFFLOAD_ADMIN_TOKEN || OFFLOAD_METRICS_TOKEN) {
    const token = bearerToken(request.headers);
    const allowed =
      !!token && ((!!OFFLOAD_METRICS_TOKEN && sameSecret(token, OFFLOAD_METRICS_TOKEN)) || isValidAdminToken(token));
    if (!allowed)
      return new Response(
        "send the metrics token (OFFLOAD_METRICS_TOKEN) or the admin token as Authorization: Bearer\n",
        {
          status: 401,
          headers: {
            "content-type": "text/plain; charset=utf-8",
            "www-authenticate": "Bearer",
            "cache-control": "no-store",
          },
        },
      );
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
