"use client";
// The operator's pool of Ollama hosts (the ollamaHosts setting): the servers local turns go to. Add
// and Remove each save one audited change; the server refuses a URL that is not http(s), a host
// named twice and more than 32, naming the field, and stores nothing. Empty: the server's
// environment decides (OLLAMA_HOSTS, else OLLAMA_HOST), and the page shows which hosts that gives.
import { useId, useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { messageWithoutField, settingLabel } from "./setting-fields";
import { inputClass, primaryButtonClass } from "./settings-section";

const MAX_HOSTS = 32;

/** As the server stores a host: trimmed, without a trailing slash. */
const normalise = (url: string) => url.trim().replace(/\/+$/, "");

export function OllamaHosts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(trpc.system.settings.queryOptions());
  const { data: info } = useSuspenseQuery(trpc.system.info.queryOptions());
  const hosts = settings.ollamaHosts;
  const id = useId();
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<{ index: number | null; text: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const label = settingLabel("ollamaHosts");

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
          index: field === "ollamaHosts" && index !== undefined ? Number(index) : null,
          text: field === "ollamaHosts" ? `${label}: ${text}` : `Not saved: ${err.message}`,
        });
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.system.settingChanges.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settings.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.info.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.health.status.queryKey() });
      },
    }),
  );

  // Where the hosts come from when the list is empty (system.info: the environment's hosts).
  const environmentHosts = info.environmentOllamaHosts;
  const environmentName = info.environmentOllamaHostsSource;

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    setError(null);
    const host = normalise(draft);
    if (hosts.includes(host)) {
      setError({ index: hosts.length, text: `${label}: ${host} is in the list already` });
      return;
    }
    save.mutate(
      { ollamaHosts: [...hosts, host], ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: () => {
          setDraft("");
          setNote("");
          setMessage(`Added ${host}: local turns may go to it from the next turn, and the next health poll judges it.`);
        },
      },
    );
  };

  const remove = (host: string) => {
    setMessage(null);
    setError(null);
    const left = hosts.filter((h) => h !== host);
    save.mutate(
      { ollamaHosts: left },
      {
        onSuccess: () =>
          setMessage(
            left.length
              ? `Removed ${host}: from the next turn, local turns no longer go to it.`
              : `Removed ${host}: the list is empty, so from the next turn the server's environment (${environmentName}) names the hosts.`,
          ),
      },
    );
  };

  const addError = error && (error.index === null || error.index >= hosts.length) ? error.text : null;
  const full = hosts.length >= MAX_HOSTS;

  return (
    <Card>
      <div data-testid="ollama-hosts-setting">
        <h2 className="font-semibold">Ollama hosts</h2>
        <p className="mb-3 text-xs text-zinc-500">
          The Ollama servers local turns go to. A turn tries a host with its model loaded first, then one with it
          installed, the least busy first, and passes to the next when one refuses or fails. A change applies to the
          next turn and the next health poll. <code className="text-[11px] text-zinc-400">ollamaHosts</code>
        </p>
        <p className="mb-3 text-sm" data-testid="ollama-hosts-in-effect">
          {hosts.length === 0 ? (
            <>The list is empty, so the server&apos;s environment names the hosts: {environmentName} gives </>
          ) : (
            <>This list is in effect. Emptied, the server&apos;s {environmentName} would give </>
          )}
          {environmentHosts.map((h, i) => (
            <span key={h}>
              {i > 0 ? ", " : ""}
              <code className="break-words">{h}</code>
            </span>
          ))}
          .
        </p>
        {hosts.length === 0 ? null : (
          <ul aria-label="Ollama hosts" className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {hosts.map((h, i) => (
              <li key={h} className="py-1.5">
                <div className="flex items-center justify-between gap-3">
                  <code className="min-w-0 break-all text-sm">{h}</code>
                  <button
                    type="button"
                    onClick={() => remove(h)}
                    disabled={save.isPending}
                    aria-label={`Remove the Ollama host ${h}`}
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
        <form onSubmit={add} aria-label="Add an Ollama host" className="mt-3 space-y-2" noValidate>
          <div className="flex flex-wrap items-end gap-2">
            <label htmlFor={`${id}-host`} className="min-w-48 flex-1 text-sm font-medium">
              New host URL
              <input
                id={`${id}-host`}
                value={draft}
                onChange={(e) => {
                  setDraft(e.target.value);
                  setError(null);
                }}
                placeholder="http://gpu1:11434"
                spellCheck={false}
                autoComplete="off"
                aria-invalid={addError ? true : undefined}
                aria-describedby={addError ? `${id}-host-error` : undefined}
                className={`${inputClass} mt-1 w-full font-mono ${addError ? "border-red-500 dark:border-red-500" : ""}`}
              />
            </label>
            <button type="submit" disabled={save.isPending || !draft.trim() || full} className={primaryButtonClass}>
              Add host
            </button>
          </div>
          {addError ? (
            <p id={`${id}-host-error`} role="alert" className="text-sm text-red-700 dark:text-red-300">
              {addError}
            </p>
          ) : null}
          {full ? <p className="text-xs text-zinc-500">At most {MAX_HOSTS} hosts: remove one to add another.</p> : null}
          <label className="block text-xs text-zinc-500">
            Reason (optional, kept in the audit)
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              placeholder="the second GPU box"
              className={`${inputClass} mt-1 w-full`}
            />
          </label>
        </form>
        {message ? (
          <p role="status" className="mt-2 text-sm text-green-700 dark:text-green-300">
            {message}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
