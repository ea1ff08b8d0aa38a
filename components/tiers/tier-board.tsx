"use client";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/trpc-provider";
import { Card } from "@/components/ui";
import { LANES, LANE_LABEL, LANE_SERVED_BY, LANE_TIER } from "@/server/core/lanes";

export function TierBoard() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.taskTypes.list.queryOptions());
  return (
    <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
      {LANES.map((lane) => {
        const cards = data.filter((t) => t.lane === lane);
        const share = cards.reduce((s, t) => s + t.expectedShare, 0);
        return (
          <section key={lane} aria-label={LANE_LABEL[lane]} className="rounded-lg bg-zinc-100 p-3 dark:bg-zinc-900/60">
            <h2 className="font-semibold">
              Tier {LANE_TIER[lane]} · {LANE_LABEL[lane]}
            </h2>
            <p className="mb-3 text-xs text-zinc-500">
              {LANE_SERVED_BY[lane]}
              {lane === "sidecar" ? " · scripts, zero tokens" : ` · expected ${Math.round(share * 100)}% of turns`}
            </p>
            <ul className="space-y-2">
              {cards.length === 0 ? <li className="text-sm text-zinc-500">No task types in this lane.</li> : null}
              {cards.map((t) => (
                <li key={t.id}>
                  <Card className="p-3">
                    <div className="text-sm font-medium">{t.name}</div>
                    <div className="mt-1 text-xs text-zinc-500">{t.reason}</div>
                  </Card>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
