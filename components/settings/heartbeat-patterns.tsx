"use client";
// The operator's heartbeat patterns: regular expressions matched case-insensitively on a turn's
// instruction; a match routes the turn as the heartbeat task type. Add and Remove each save one
// audited change; a pattern that does not compile is refused, named, and nothing is stored. A test
// box says whether an instruction would be recognised, by which prompt or pattern.
import { useId, useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { recogniseHeartbeat } from "@/server/core/turns/recognise-heartbeat";
import { messageWithoutField } from "./setting-fields";
import { inputClass, primaryButtonClass } from "./settings-section";

export function HeartbeatPatterns() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(trpc.system.settings.queryOptions());
  const patterns = settings.heartbeatPatterns;
  const id = useId();
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState("");
  const [sample, setSample] = useState("");
  const [error, setError] = useState<{ index: number | null; text: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const save = useMutation(
    trpc.system.updateSettings.mutationOptions({
      onSuccess: (result) => {
        queryClient.setQueryData(trpc.system.settings.queryKey(), result.settings);
        setError(null);
      },
      onError: (err) => {
        const [field, index] = (err.data?.field ?? "").split(".");
        const text = messageWithoutField(err.message, err.data?.field);
        setError({
          index: field === "heartbeatPatterns" && index !== undefined ? Number(index) : null,
          text: field === "heartbeatPatterns" ? `Heartbeat pattern: ${text}` : `Not saved: ${err.message}`,
        });
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.system.settingChanges.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settings.queryKey() });
      },
    }),
  );

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    setError(null);
    const pattern = draft.trim();
    if (patterns.includes(pattern)) {
      setError({ index: patterns.length, text: `Heartbeat pattern: /${pattern}/ is in the list already` });
      return;
    }
    save.mutate(
      { heartbeatPatterns: [...patterns, pattern], ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: () => {
          setDraft("");
          setNote("");
          setMessage(`Added /${pattern}/; the gateway recognises it from the next turn.`);
        },
      },
    );
  };

  const remove = (pattern: string) => {
    setMessage(null);
    setError(null);
    save.mutate(
      { heartbeatPatterns: patterns.filter((p) => p !== pattern) },
      { onSuccess: () => setMessage(`Removed /${pattern}/.`) },
    );
  };

  const addError = error && (error.index === null || error.index >= patterns.length) ? error.text : null;
  const match = sample.trim() ? recogniseHeartbeat(sample, patterns) : null;

  return (
    <Card>
      <h2 className="font-semibold">Heartbeat patterns</h2>
      <p className="mb-3 text-xs text-zinc-500">
        Your agents&apos; own heartbeat prompts, as regular expressions matched case-insensitively on a turn&apos;s
        instruction; a match routes the turn as Heartbeat processing. OpenClaw&apos;s heartbeat prompts and the
        HEARTBEAT_OK and NO_REPLY reply contracts are recognised without them.{" "}
        <code className="text-[11px] text-zinc-400">heartbeatPatterns</code>
      </p>
      {patterns.length === 0 ? (
        <p className="text-sm text-zinc-500">No patterns of your own.</p>
      ) : (
        <ul aria-label="Heartbeat patterns" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {patterns.map((p, i) => (
            <li key={p} className="py-1.5">
              <div className="flex items-center justify-between gap-3">
                <code className="min-w-0 break-all text-sm">/{p}/i</code>
                <button
                  type="button"
                  onClick={() => remove(p)}
                  disabled={save.isPending}
                  aria-label={`Remove the pattern ${p}`}
                  className="shrink-0 rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
                >
                  Remove
                </button>
              </div>
              {error && error.index === i ? (
                <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
                  {error.text}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} aria-label="Add a heartbeat pattern" className="mt-3 space-y-2" noValidate>
        <div className="flex flex-wrap items-end gap-2">
          <label htmlFor={`${id}-pattern`} className="min-w-48 flex-1 text-sm font-medium">
            New pattern
            <input
              id={`${id}-pattern`}
              value={draft}
              onChange={(e) => {
                setDraft(e.target.value);
                setError(null);
              }}
              placeholder="^\[fleet heartbeat\]"
              spellCheck={false}
              aria-invalid={addError ? true : undefined}
              aria-describedby={addError ? `${id}-pattern-error` : undefined}
              className={`${inputClass} mt-1 w-full font-mono ${addError ? "border-red-500 dark:border-red-500" : ""}`}
            />
          </label>
          <button type="submit" disabled={save.isPending || !draft.trim()} className={primaryButtonClass}>
            Add pattern
          </button>
        </div>
        {addError ? (
          <p id={`${id}-pattern-error`} role="alert" className="text-sm text-red-700 dark:text-red-300">
            {addError}
          </p>
        ) : null}
        <label className="block text-xs text-zinc-500">
          Reason (optional, kept in the audit)
          <input
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
            placeholder="which agents send it"
            className={`${inputClass} mt-1 w-full`}
          />
        </label>
      </form>
      {message ? (
        <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-300">
          {message}
        </p>
      ) : null}
      <div className="mt-4 border-t border-zinc-100 pt-3 dark:border-zinc-800">
        <label className="block text-xs text-zinc-500">
          Try an instruction
          <input
            value={sample}
            onChange={(e) => setSample(e.target.value)}
            placeholder="[fleet heartbeat] anything new?"
            className={`${inputClass} mt-1 w-full`}
          />
        </label>
        {sample.trim() ? (
          <p data-testid="heartbeat-try" className="mt-1 text-xs">
            {match ? (
              <span className="text-green-700 dark:text-green-400">A heartbeat: recognised by {match.by}.</span>
            ) : (
              <span className="text-zinc-500">Not a heartbeat: routed by its task type or the classifier.</span>
            )}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
