// The Tasks page's filters as the URL carries them (/tasks?status=failed&lane=claude&agent=builder) and
// the overview's input built from them. A plain module (no "use client"): the page prefetches with the
// same input the view queries with, so that the keys match.
import { LANES, type Lane } from "@/server/core/lanes";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";

export type TaskOverview = RouterOutputs["tasks"]["overview"];
export type Task = TaskOverview["tasks"][number];
export type TaskStatus = Task["status"];

import { TASK_STATUSES } from "@/server/core/tasks/task-statuses";

export { TASK_STATUSES };

export const TASKS_LIMIT = 100;
/** How often the page reads the queue again (a running sidecar's progress shows within this). */
export const REFRESH_MS = 3_000;

export type TasksFilters = { status: TaskStatus | null; lane: Lane | null; agent: string | null };

type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | null => {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.trim() ? v.trim() : null;
};

const oneOf = <T extends string>(list: readonly T[], value: string | null): T | null =>
  value !== null && (list as readonly string[]).includes(value) ? (value as T) : null;

/** The filters in a page's search parameters; anything malformed is ignored. */
export function readTasksFilters(params: SearchParams): TasksFilters {
  const agent = first(params.agent);
  return {
    status: oneOf(TASK_STATUSES, first(params.status)),
    lane: oneOf(LANES, first(params.lane)),
    agent: agent && agent.length <= 63 ? agent : null,
  };
}

/** The page's address for some filters (none: /tasks). */
export function tasksHref(filters: TasksFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.lane) params.set("lane", filters.lane);
  if (filters.agent) params.set("agent", filters.agent);
  const query = params.toString();
  return query ? `/tasks?${query}` : "/tasks";
}

export function overviewInput(filters: TasksFilters): RouterInputs["tasks"]["overview"] {
  return {
    limit: TASKS_LIMIT,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.lane ? { lane: filters.lane } : {}),
    ...(filters.agent ? { agent: filters.agent } : {}),
  };
}
