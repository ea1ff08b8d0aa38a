"use client";
// The start form of the Smoke page: tick one or more models (the configured and installed local
// models, the Claude models the fleet uses), or type another; choose repetitions and the per-task
// timeout; start one run per model.
import { SMOKE_MAX_REPEAT } from "@/server/core/smoke/smoke-limits";
import { useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";

export function StartRuns({ onStarted }: { onStarted: (runIds: string[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: options } = useSuspenseQuery(trpc.smoke.options.queryOptions());
  const [picked, setPicked] = useState<string[]>(() =>
    [options.localModels[0], options.claudeConfigured ? options.claudeModels[0] : undefined].filter(
      (m): m is string => !!m,
    ),
  );
  const [other, setOther] = useState("");
  const [repeat, setRepeat] = useState("1");
  const [timeout, setTimeoutSeconds] = useState("60");
  const [error, setError] = useState<string | null>(null);
  const start = useMutation(trpc.smoke.start.mutationOptions());

  const toggle = (model: string) =>
    setPicked((p) => (p.includes(model) ? p.filter((m) => m !== model) : [...p, model]));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const models = [
      ...picked,
      ...other
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean),
    ];
    const repeatN = Number(repeat);
    const timeoutN = Number(timeout);
    if (models.length === 0) return setError("model: tick at least one model or type one");
    if (!Number.isInteger(repeatN) || repeatN < 1 || repeatN > SMOKE_MAX_REPEAT)
      return setError(`repeat: a whole number from 1 to ${SMOKE_MAX_REPEAT}`);
    if (!Number.isInteger(timeoutN) || timeoutN < 1 || timeoutN > 600)
      return setError("timeout: whole seconds from 1 to 600");
    const started: string[] = [];
    const failures: string[] = [];
    for (const model of models) {
      try {
        started.push((await start.mutateAsync({ model, repeat: repeatN, taskTimeoutSeconds: timeoutN })).runId);
      } catch (err) {
        failures.push(`${model}: ${(err as Error).message}`);
      }
    }
    if (failures.length) setError(failures.join("; "));
    if (started.length) {
      setOther("");
      onStarted(started);
      void queryClient.invalidateQueries({ queryKey: trpc.smoke.runs.queryKey() });
    }
  }

  const modelBox = (model: string, disabled = false, hint?: string) => (
    <label key={model} className={`flex items-center gap-2 text-sm ${disabled ? "opacity-50" : ""}`}>
      <input type="checkbox" checked={picked.includes(model)} disabled={disabled} onChange={() => toggle(model)} />
      <span className="font-mono">{model}</span>
      {hint ? <span className="text-xs text-zinc-500">{hint}</span> : null}
    </label>
  );

  return (
    <Card>
      <form onSubmit={submit} aria-label="Start a smoke run" className="space-y-4">
        <div className="grid gap-4 md:grid-cols-2">
          <fieldset>
            <legend className="mb-1 text-xs font-medium uppercase tracking-wide text-zinc-500">Local (Ollama)</legend>
            <div className="space-y-1">{options.localModels.map((m) => modelBox(m))}</div>
          </fieldset>
          <fieldset>
            <legend className="mb-1 text-xs font-medium uppercase tracking-wide text-zinc-500">Claude</legend>
            <div className="space-y-1">
              {options.claudeModels.map((m) =>
                modelBox(
                  m,
                  !options.claudeConfigured,
                  options.claudeConfigured ? undefined : "needs ANTHROPIC_API_KEY",
                ),
              )}
            </div>
          </fieldset>
        </div>
        <div className="flex flex-wrap items-end gap-3 text-sm">
          <label className="flex flex-col gap-1">
            <span className="text-xs text-zinc-500">Other models (comma-separated)</span>
            <input
              value={other}
              onChange={(e) => setOther(e.target.value)}
              placeholder="ollama/llama3.2:3b"
              className="w-56 rounded border border-zinc-300 bg-transparent px-2 py-1 font-mono dark:border-zinc-700"
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-xs text-zinc-500">Repeat the suite</span>
            <input
              type="number"
              min={1}
              max={SMOKE_MAX_REPEAT}
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              className="w-20 rounded border border-zinc-300 bg-transparent px-2 py-1 tabular-nums dark:border-zinc-700"
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-xs text-zinc-500">Timeout per task, s</span>
            <input
              type="number"
              min={1}
              max={600}
              value={timeout}
              onChange={(e) => setTimeoutSeconds(e.target.value)}
              className="w-20 rounded border border-zinc-300 bg-transparent px-2 py-1 tabular-nums dark:border-zinc-700"
            />
          </label>
          <button
            type="submit"
            disabled={start.isPending}
            className="rounded bg-zinc-900 px-4 py-1.5 font-medium text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
          >
            {start.isPending ? "Starting…" : "Start"}
          </button>
        </div>
        <p className="text-xs text-zinc-500">
          {options.tasks.length} tasks over {options.capabilities.length} capabilities, each graded by a deterministic
          check. Repeating the suite measures consistency: the pass rate gets a 95% interval and tasks that flip are
          flagged.
        </p>
        {error ? (
          <p
            role="alert"
            className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          >
            {error}
          </p>
        ) : null}
      </form>
    </Card>
  );
}
