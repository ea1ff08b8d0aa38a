"use client";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/trpc-provider";
import { Card, EmptyState } from "@/components/ui";

export function SmokeRunList() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.observations.smokeRuns.queryOptions());
  if (data.length === 0) {
    return <EmptyState title="No smoke runs yet">A smoke run sends a fixed suite of trivial agent tasks to a model and grades each answer.</EmptyState>;
  }
  return (
    <Card className="p-0">
      <ul>
        {data.map((run) => (
          <li key={run.id} className="flex justify-between border-b border-zinc-100 px-4 py-2 text-sm last:border-0 dark:border-zinc-800">
            <span>{run.model}</span>
            <span className="tabular-nums">
              {run.passed}/{run.total} · {run.status}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
