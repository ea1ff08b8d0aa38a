// The Turns page's filters as the URL carries them (/turns?agent=..&fingerprint=..&sort=cost) and the
// query inputs built from them. A plain module (no "use client"): the pages prefetch with the same
// inputs the components query with, so that the keys match.
import type { RouterInputs } from "@/server/api/root";

export const RECENT_TURNS_LIMIT = 50;
export const RECURRING_LIMIT = 20;

export type RecurringSort = "turns" | "cost";

export type TurnsFilters = {
  agentId: string | null;
  fingerprint: string | null;
  sort: RecurringSort;
};

type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | null => {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.trim() ? v.trim() : null;
};

/** The filters in a page's search parameters; anything malformed is ignored. */
export function readTurnsFilters(params: SearchParams): TurnsFilters {
  const agent = first(params.agent);
  const fingerprint = first(params.fingerprint);
  return {
    agentId: agent && agent.length <= 100 ? agent : null,
    fingerprint: fingerprint && /^[0-9a-f]{16}$/.test(fingerprint) ? fingerprint : null,
    sort: first(params.sort) === "cost" ? "cost" : "turns",
  };
}

/** The page's address for some filters (the defaults left out). */
export function turnsHref(filters: TurnsFilters): string {
  const params = new URLSearchParams();
  if (filters.agentId) params.set("agent", filters.agentId);
  if (filters.fingerprint) params.set("fingerprint", filters.fingerprint);
  if (filters.sort !== "turns") params.set("sort", filters.sort);
  const query = params.toString();
  return query ? `/turns?${query}` : "/turns";
}

export function recentTurnsInput(
  filters: Pick<TurnsFilters, "agentId" | "fingerprint">,
): RouterInputs["turns"]["recent"] {
  return {
    limit: RECENT_TURNS_LIMIT,
    ...(filters.agentId ? { agentId: filters.agentId } : {}),
    ...(filters.fingerprint ? { fingerprint: filters.fingerprint } : {}),
  };
}

export function recurringTurnsInput(sort: RecurringSort): RouterInputs["turns"]["recurring"] {
  return { limit: RECURRING_LIMIT, sort };
}

/** The Tiers page's tray of recurring turns without a rule: the top fingerprints by turns, those with a rule left out. */
export const TRAY_INPUT = { limit: 40, sort: "turns" } as const satisfies RouterInputs["turns"]["recurring"];
export const TRAY_CHIPS = 10;
