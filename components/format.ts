// Small display helpers shared by the dashboard's pages.
import { LANE_LABEL, isLane } from "@/server/core/lanes";

export function formatAgo(at: Date | null, now: Date): string {
  if (!at) return "never";
  const minutes = Math.round((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** How a TierChange value reads: a lane's label, or an agent's pin. */
export function describeChangeValue(subjectType: string, value: string): string {
  if (subjectType === "task_type") return isLane(value) ? LANE_LABEL[value] : value;
  return value === "none" ? "per task" : `pinned ${value}`;
}
