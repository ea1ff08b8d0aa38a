// The latest failed tasks with the error each ended on, and a Re-queue for each.
import { Badge } from "@/components/ui";
import { LANE_LABEL } from "@/server/core/lanes";
import { TaskActions } from "./task-actions";
import { formatSince } from "./task-format";
import type { Task } from "./tasks-inputs";

export function Failures({
  failures,
  now,
  agentName,
}: {
  failures: Task[];
  now: Date;
  agentName: (id: string) => string;
}) {
  if (failures.length === 0)
    return <p className="text-sm text-zinc-500">No failed tasks. Failures show here with their error.</p>;
  return (
    <ul aria-label="Failed tasks" className="-mx-4 divide-y divide-zinc-100 dark:divide-zinc-800">
      {failures.map((t) => (
        <li key={t.id} data-task-id={t.id} className="flex gap-3 px-4 py-2.5">
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
              <span className="font-medium break-words">{t.title}</span>
              <Badge tone={t.lane}>{LANE_LABEL[t.lane]}</Badge>
            </div>
            <p
              data-testid="task-error"
              className="mt-1 font-mono text-xs break-words whitespace-pre-wrap text-red-700 dark:text-red-300"
            >
              {t.error ?? "no error recorded"}
            </p>
            <p className="mt-0.5 text-xs text-zinc-500">
              {t.claimedBy ? `by ${agentName(t.claimedBy)} · ` : ""}
              {t.attempts === 1 ? "1 attempt" : `${t.attempts} attempts`}
              {t.completedAt ? ` · failed ${formatSince(t.completedAt, now)}` : ""}
            </p>
          </div>
          <div className="shrink-0 pt-0.5">
            <TaskActions task={t} />
          </div>
        </li>
      ))}
    </ul>
  );
}
