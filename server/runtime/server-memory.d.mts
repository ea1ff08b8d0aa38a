export const SERVER_MAX_OLD_SPACE_MB: number;
export const SERVER_MAX_SEMI_SPACE_MB: number;
/** The node flags the server runs with, given the operator's NODE_OPTIONS. */
export function serverNodeFlags(nodeOptions?: string): string[];
export const SERVER_MALLOC_DEFAULTS: Record<
  "MALLOC_ARENA_MAX" | "MALLOC_MMAP_THRESHOLD_" | "MALLOC_TRIM_THRESHOLD_",
  string
>;
/** The malloc variables the server runs with, given the operator's environment. */
export function serverMallocEnv(
  env: Record<string, string | undefined>,
): Record<keyof typeof SERVER_MALLOC_DEFAULTS, string>;
