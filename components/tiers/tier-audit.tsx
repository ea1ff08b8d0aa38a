"use client";
// Recent lane, pin, model mapping and price changes, newest first, each with an undo that goes through
// the same audited path.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Card } from "@/components/ui";
import { describeChangeValue } from "@/components/format";

export function TierAudit() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const changes = useQuery(trpc.tiers.changes.queryOptions({ limit: 20 }));
  const [message, setMessage] = useState<{ tone: "error" | "ok"; text: string } | null>(null);
  const undo = useMutation(
    trpc.tiers.undo.mutationOptions({
      onSuccess: () => setMessage({ tone: "ok", text: "Undone." }),
      onError: (err) => setMessage({ tone: "error", text: `Could not undo: ${err.message}` }),
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.board.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
        // A mapping or a price may have changed: their panels, and the costs a price moved.
        void queryClient.invalidateQueries(trpc.models.pathFilter());
        void queryClient.invalidateQueries(trpc.fleet.pathFilter());
        // A fingerprint's rule: the recurring turns (the Tiers page's tray, the Turns page).
        void queryClient.invalidateQueries(trpc.turns.pathFilter());
      },
    }),
  );
  const now = new Date();
  return (
    <Card>
      <h2 className="font-semibold">Recent changes</h2>
      <p className="mb-3 text-xs text-zinc-500">
        Every lane, pin, model mapping and price change, who made it and why. Undo restores the previous value, if
        nothing changed it since.
      </p>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`mb-2 text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
        >
          {message.text}
        </p>
      ) : null}
      {changes.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading changes…
        </p>
      ) : changes.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          Could not load the changes: {changes.error.message}
        </p>
      ) : changes.data.length === 0 ? (
        <p className="text-sm text-zinc-500">No changes yet. Drag a card to another lane to make one.</p>
      ) : (
        <ol aria-label="Tier changes" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {changes.data.map((c) => (
            <li key={c.id} data-change-id={c.id} className="flex items-start justify-between gap-3 py-2 text-sm">
              <div>
                <div>
                  <span className="font-medium">{c.subjectName}</span>:{" "}
                  {describeChangeValue(c.subjectType, c.fromValue, c.valueNames)} →{" "}
                  {describeChangeValue(c.subjectType, c.toValue, c.valueNames)}
                </div>
                <div className="text-xs text-zinc-500">
                  {c.actor} · <Ago at={c.createdAt} now={now} />
                  {c.note ? ` · “${c.note}”` : ""}
                </div>
              </div>
              <button
                type="button"
                onClick={() => undo.mutate({ changeId: c.id })}
                disabled={undo.isPending}
                className="shrink-0 rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Undo
              </button>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
