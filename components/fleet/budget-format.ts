// How the budget views word a wait and a budget's use.

/** "5 h 12 min", "12 min", "40 s". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.ceil((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min`;
}

/** The bar's colour for a budget's alert level. */
export const ALERT_BAR: Record<"none" | "warning" | "over", string> = {
  none: "bg-green-600",
  warning: "bg-amber-500",
  over: "bg-red-600",
};
