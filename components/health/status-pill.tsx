// The health verdict's colours, shared by the Health page's verdict, its hosts and the app shell's
// badge: a tinted box for the verdict, a dot, and a small pill that names the status.
export type HealthStatus = "up" | "degraded" | "down";

export const STATUS_CLASS = {
  up: "border-green-300 bg-green-50 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100",
  degraded: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
  down: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
} as const;

export const STATUS_DOT = { up: "bg-green-500", degraded: "bg-amber-500", down: "bg-red-600" } as const;

const UNKNOWN_CLASS =
  "border-zinc-300 bg-zinc-50 text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300";

/** A status as a pill: "up", "degraded", "down", or (null) "not polled yet". */
export function StatusPill({ status }: { status: HealthStatus | null }) {
  return (
    <span
      data-testid="status-pill"
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-medium ${
        status ? STATUS_CLASS[status] : UNKNOWN_CLASS
      }`}
    >
      <span
        aria-hidden
        className={`inline-block h-2 w-2 rounded-full ${status ? STATUS_DOT[status] : "bg-zinc-400"}`}
      />
      {status ?? "not polled yet"}
    </span>
  );
}
