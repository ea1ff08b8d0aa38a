// The endpoints agents call on every turn. In production they are answered by a plain node:http
// listener ahead of Next.js (see server/runtime/serve.ts), which saves Next's per-request work on the hot
// path; the same handlers stay mounted as Next route handlers under app/ (for `next dev`).
import type { Db } from "@/server/db/client";
import { handleMessages } from "@/server/gateway/handle-messages";
import { handleCountTokens } from "@/server/gateway/handle-count-tokens";
import { handleReportTurns } from "@/server/turns/report-turns";
import { handleRouteRequest } from "@/server/routing/handle-route-request";
import { handleQueueTask } from "@/server/tasks/handle-task-requests";
import { countRequest } from "@/server/metrics/offload-metrics";
import { log, runWithRequestLog } from "@/server/process/log";

export type AgentHandler = (request: Request, db?: Db) => Promise<Response>;

const AGENT_ROUTES: Readonly<Record<string, AgentHandler>> = {
  "/v1/messages": handleMessages,
  "/v1/messages/count_tokens": handleCountTokens,
  "/api/v1/turns": handleReportTurns,
  "/api/v1/route": handleRouteRequest,
  "/api/v1/tasks": handleQueueTask,
};

/** The handler, counted for /metrics: its answer's status and lane, and the time to its headers. */
function counted(endpoint: string, handler: AgentHandler): AgentHandler {
  return async (request, db) => {
    const t0 = performance.now();
    const response = await handler(request, db);
    countRequest(
      endpoint,
      response.headers.get("x-offload-lane") ?? "none",
      response.status,
      (performance.now() - t0) / 1000,
    );
    return response;
  };
}

/**
 * The handler in its own log scope: every line logged while it serves carries the request's id and
 * route, then its agent, lane and turn (server/process/log.ts); at debug level, one line per answer.
 */
function logged(endpoint: string, handler: AgentHandler): AgentHandler {
  return (request, db) =>
    runWithRequestLog(endpoint, () => {
      if (!log.isLevelEnabled("debug")) return handler(request, db);
      const t0 = performance.now();
      return handler(request, db).then((response) => {
        log.debug({ status: response.status, ms: Math.round((performance.now() - t0) * 10) / 10 }, "answered");
        return response;
      });
    });
}

const COUNTED_ROUTES: Readonly<Record<string, AgentHandler>> = Object.fromEntries(
  Object.entries(AGENT_ROUTES).map(([path, handler]) => [path, logged(path, counted(path, handler))]),
);

/** The handler for a POST to one of the agent endpoints, or null (everything else goes to Next). */
export function agentRoute(method: string | undefined, rawUrl: string | undefined): AgentHandler | null {
  if (method !== "POST" || !rawUrl) return null;
  const q = rawUrl.indexOf("?");
  return COUNTED_ROUTES[q === -1 ? rawUrl : rawUrl.slice(0, q)] ?? null;
}
