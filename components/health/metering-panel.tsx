"use client";
// Whether every turn is being recorded: turns waiting for the database or held in the spool on
// disk, and turns the database refused (kept in DeadTurn with the error, never blocking the rest).
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Card, Stat } from "@/components/ui";

export function MeteringPanel() {
  const trpc = useTRPC();
  const { data: m } = useSuspenseQuery({ ...trpc.health.metering.queryOptions(), refetchInterval: 15_000 });
  const now = new Date();
  const away = m.databaseUnreachableForMs;
  return (
    <Card>
      <div data-testid="metering-panel">
        <h2 className="font-semibold">Metering</h2>
        <p className="mt-1 text-sm text-zinc-500">
          Every answered turn is written to a spool on disk before its answer ends, then to the database in batches. A
          turn the database refuses is set aside with its error and never holds up the others.
        </p>
        {away !== null ? (
          <p role="alert" className="mt-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">
            The database has not answered for {Math.round(away / 1000)} s: the gateway keeps serving from its last known
            state and holds the turns in the spool until it is back.
          </p>
        ) : null}
        <div className="mt-3 grid grid-cols-3 gap-3">
          <Stat label="Waiting" value={String(m.pending)} hint="turns queued for the database" />
          <Stat label="Spooled" value={String(m.spooled)} hint="on disk, not yet in the database" />
          <Stat
            label="Refused"
            value={String(m.deadTurns)}
            hint={m.deadTurns ? "kept in DeadTurn with the error" : "no turn refused"}
          />
        </div>
        {m.recentDeadTurns.length ? (
          <ul className="mt-3 divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {m.recentDeadTurns.map((d) => (
              <li key={d.id} className="py-1.5">
                <span className="text-zinc-500">
                  <Ago at={d.failedAt} now={now} />
                </span>{" "}
                · {d.agentId ?? "unknown agent"} · <code className="text-xs">{d.id}</code>: {d.error}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </Card>
  );
}
