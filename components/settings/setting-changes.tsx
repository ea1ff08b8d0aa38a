"use client";
// Recent settings changes, newest first (who, when, from -> to, why), each with an undo that goes
// through the same audited path and refuses when the setting changed since.
import { useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Card } from "@/components/ui";
import { CHANGES_LIMIT, describeSettingJson, settingLabel } from "./setting-fields";

export function SettingChanges() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: changes } = useSuspenseQuery(trpc.system.settingChanges.queryOptions({ limit: CHANGES_LIMIT }));
  const [message, setMessage] = useState<{ tone: "error" | "ok"; text: string } | null>(null);
  const undo = useMutation(
    trpc.system.undoSettingChange.mutationOptions({
      onSuccess: (row) =>
        setMessage({
          tone: "ok",
          text: `Undone: ${settingLabel(row.key)} is ${describeSettingJson(row.key, row.toValue)} again.`,
        }),
      onError: (err) => setMessage({ tone: "error", text: `Could not undo: ${err.message}` }),
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.system.settings.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settingChanges.queryKey() });
      },
    }),
  );
  const now = new Date();
  return (
    <Card>
      <h2 className="font-semibold">Recent changes</h2>
      <p className="mb-3 text-xs text-zinc-500">
        Every settings change, from this page or <code>offload settings set</code>: who, when and why. Undo restores the
        previous value if nothing changed it since. Model mapping changes are listed on the Tiers page.
      </p>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`mb-2 text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
        >
          {message.text}
        </p>
      ) : null}
      {changes.length === 0 ? (
        <p className="text-sm text-zinc-500">No changes yet: every setting has its default or its seeded value.</p>
      ) : (
        <ol aria-label="Settings changes" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {changes.map((c) => (
            <li
              key={c.id}
              data-change-id={c.id}
              data-setting={c.key}
              className="flex items-start justify-between gap-3 py-2 text-sm"
            >
              <div className="min-w-0">
                <div className="break-words">
                  <span className="font-medium">{settingLabel(c.key)}</span>:{" "}
                  <span className="tabular-nums">{describeSettingJson(c.key, c.fromValue)}</span> →{" "}
                  <span className="tabular-nums">{describeSettingJson(c.key, c.toValue)}</span>
                </div>
                <div className="text-xs text-zinc-500">
                  {c.actor} · <Ago at={c.createdAt} now={now} />
                  {c.note ? ` · “${c.note}”` : ""}
                </div>
              </div>
              <button
                type="button"
                onClick={() => {
                  setMessage(null);
                  undo.mutate({ changeId: c.id });
                }}
                disabled={undo.isPending}
                aria-label={`Undo the change of ${settingLabel(c.key)}`}
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
