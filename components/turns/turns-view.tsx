"use client";
// The Turns page: the recurring turns of the last 7 UTC days with their rules, and the fleet's recent
// turns with why each went where it did. The filters (agent, instruction, sort) live in the URL, so a
// filtered view can be linked and reloaded.
import { useMemo, useState } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { RecentTurns } from "./recent-turns";
import { RecurringTurns } from "./recurring-turns";
import type { TaskTypeOption } from "./task-type-select";
import { turnsHref, type TurnsFilters } from "./turns-inputs";

export function TurnsView({ initial }: { initial: TurnsFilters }) {
  const trpc = useTRPC();
  const { data: taskTypeRows } = useSuspenseQuery(trpc.taskTypes.list.queryOptions());
  const { data: agents } = useSuspenseQuery(trpc.agents.list.queryOptions());
  const { data: retention } = useSuspenseQuery(trpc.system.retention.queryOptions());
  const taskTypes = useMemo<TaskTypeOption[]>(
    () => taskTypeRows.map((t) => ({ id: t.id, name: t.name, lane: t.lane })),
    [taskTypeRows],
  );
  const [filters, setFilters] = useState<TurnsFilters>(initial);
  const [templates, setTemplates] = useState<Record<string, string>>({});

  const update = (next: Partial<TurnsFilters>) => {
    const merged = { ...filters, ...next };
    setFilters(merged);
    window.history.replaceState(null, "", turnsHref(merged));
  };

  return (
    <div className="space-y-6">
      <RecurringTurns
        sort={filters.sort}
        onSort={(sort) => update({ sort })}
        selected={filters.fingerprint}
        onSelect={(fingerprint, template) => {
          if (fingerprint && template) setTemplates((t) => ({ ...t, [fingerprint]: template }));
          update({ fingerprint });
          if (fingerprint)
            document.getElementById("recent-turns")?.scrollIntoView({ behavior: "smooth", block: "start" });
        }}
        taskTypes={taskTypes}
      />
      <RecentTurns
        agentId={filters.agentId}
        fingerprint={filters.fingerprint}
        onAgent={(agentId) => update({ agentId })}
        onFingerprint={(fingerprint) => update({ fingerprint })}
        agents={agents}
        fingerprintTemplate={filters.fingerprint ? (templates[filters.fingerprint] ?? null) : null}
        turnsRetainedFrom={retention.turnsRetainedFrom}
      />
    </div>
  );
}
