"use client";
// The retention period of raw turns (turnRetentionDays): a Settings section like the others (one
// audited change, a bad value refused under its field), with what the value in the form would do
// today and what the retention job did last. The job itself runs in the server (server/turns/retire-turns.ts).
import { useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, retentionCutover } from "@/server/core/turn-retention";
import { utcDay } from "@/server/core/turn-record";
import { formatCount } from "@/server/core/money";
import { formatUtcDay } from "@/components/format";
import type { RouterOutputs } from "@/server/api/root";
import { RETENTION_FIELDS } from "./setting-fields";
import { SettingsSection } from "./settings-section";

type RunResult = RouterOutputs["system"]["retireTurnsNow"];

/** What a clean-up started from the page did, for people. */
function describeRun(result: RunResult): string {
  if (result.status === "off") return "Every turn is kept (0 days): nothing to delete.";
  if (result.status === "busy")
    return "A clean-up is under way already, here or on another server sharing the database; its result shows here once it ends.";
  const day = formatUtcDay(result.retainedFrom);
  return result.retired === 0
    ? `Nothing to delete: every turn left started on or after ${day}.`
    : `Deleted ${formatCount(result.retired)} turn${result.retired === 1 ? "" : "s"} that started before ${day}; their daily totals stay.`;
}

/** The days typed in the form, when they are a value the server would take. */
function typedDays(draft: string | boolean): number | null {
  const text = String(draft)
    .trim()
    .replace(/[,_\s]/g, "");
  const days = Number(text);
  if (text === "" || !Number.isInteger(days)) return null;
  return days === 0 || (days >= MIN_RETENTION_DAYS && days <= MAX_RETENTION_DAYS) ? days : null;
}

function RetentionEffect({ draft }: { draft: string | boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data } = useSuspenseQuery(trpc.system.retention.queryOptions());
  const [ran, setRan] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const runNow = useMutation(
    trpc.system.retireTurnsNow.mutationOptions({
      onSuccess: (result) => setRan({ tone: "ok", text: describeRun(result) }),
      onError: (err) => setRan({ tone: "error", text: `The clean-up failed: ${err.message}` }),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.system.retention.queryKey() }),
    }),
  );
  const days = typedDays(draft);
  const cutover = days ? retentionCutover(new Date(), days) : null;
  const last = data.lastRun;
  return (
    <div className="mt-4 space-y-1 text-sm" data-testid="turn-retention-effect">
      {days === null ? null : cutover ? (
        <p>
          Turns older than {formatCount(days)} days are deleted (today: those that started before{" "}
          <span className="font-medium">{formatUtcDay(utcDay(cutover))}</span>); daily totals are kept forever.
        </p>
      ) : (
        <p>Every turn is kept.</p>
      )}
      {data.turnsRetainedFrom ? (
        <p data-testid="turns-retained-from">
          Turns before <span className="font-medium">{formatUtcDay(data.turnsRetainedFrom)}</span> are retired; their
          totals are on the Costs page.
        </p>
      ) : null}
      {last ? (
        <p className="text-xs text-zinc-500" data-testid="turn-retention-last-run">
          Last clean-up {new Date(last.at).toISOString().slice(0, 16).replace("T", " ")} UTC:{" "}
          {last.retired === 0
            ? "nothing to delete"
            : `${formatCount(last.retired)} turn${last.retired === 1 ? "" : "s"} deleted`}
          {last.stopped ? ", stopped with the server (the next run goes on)" : ""}.
        </p>
      ) : null}
      <p className="text-xs text-zinc-500">
        The clean-up runs at start and every {data.everyMinutes} minutes, on one server at a time; a change applies at
        its next run. Deleted turns do not come back with a longer period.
      </p>
      {data.turnRetentionDays > 0 ? (
        <div className="flex flex-wrap items-center gap-2 pt-1">
          <button
            type="button"
            onClick={() => {
              setRan(null);
              runNow.mutate();
            }}
            disabled={runNow.isPending}
            className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            {runNow.isPending ? "Cleaning up…" : "Clean up now"}
          </button>
          {ran ? (
            <p
              role={ran.tone === "error" ? "alert" : "status"}
              className={`text-sm ${ran.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
            >
              {ran.text}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function TurnRetention() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.system.retention.queryOptions());
  return (
    <SettingsSection
      title="Turn history"
      description="How long Offload keeps each raw turn. The charts, the Costs page and the budgets read daily totals, which stay whatever this says."
      fields={RETENTION_FIELDS}
      invalidates={[trpc.system.retention.queryKey()]}
      applies={`the clean-up applies it at its next run, within ${data.everyMinutes} minutes, or at once with Clean up now.`}
      footer={(value) => <RetentionEffect draft={value("turnRetentionDays")} />}
    />
  );
}
