"use client";
// The OpenClaw panel's import: an openclaw.json (a file or pasted text) goes to the server, which
// says per agent what importing it would do (create, update with the differences, or nothing); the
// operator imports it with one button (all agents or none) and the fleet list refreshes. A file that
// does not parse shows the server's error, with its line and column. The preview carries nothing
// secret from the file, so the page shows none.
import { useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Badge } from "@/components/ui";
import { inputClass, primaryButtonClass } from "@/components/settings/settings-section";
import type { RouterOutputs } from "@/server/api/root";
import { describeError } from "./openclaw-format";

type Preview = RouterOutputs["openclaw"]["previewImport"];
type Result = RouterOutputs["openclaw"]["import"];
type Row = Preview["rows"][number];

/** The server takes at most 4 MB of config text. */
const MAX_BYTES = 4_000_000;

export const secondaryButtonClass =
  "rounded border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800";

/** The config is the one input of an import: a field of the file, or the file itself. */
const ERROR_LABEL: Record<string, string> = {
  config: "OpenClaw config",
  text: "OpenClaw config",
  fileName: "File name",
};

const ACTION_CLASS: Record<Row["action"], string> = {
  create: "bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-200",
  update: "bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-200",
  same: "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300",
};

/** A value the file sets, or (grey) the one Offload keeps: the agent's current one or its default. */
function Value({ fromFile, effective }: { fromFile: string | number | null; effective: string }) {
  if (fromFile !== null) return <>{effective}</>;
  return (
    <span
      className="text-zinc-400 dark:text-zinc-500"
      title="not set in the file: Offload keeps its current or default"
    >
      {effective}
    </span>
  );
}

function PreviewTable({ rows, caption }: { rows: Row[]; caption: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
          <tr>
            <th className="py-1.5 pr-3">Agent</th>
            <th className="py-1.5 pr-3">Action</th>
            <th className="py-1.5 pr-3">Pin</th>
            <th className="py-1.5 pr-3">Local model</th>
            <th className="py-1.5 pr-3">Claude model</th>
            <th className="py-1.5 pr-3">External model</th>
            <th className="py-1.5 pr-3 text-right">Heartbeat</th>
            <th className="py-1.5">Changes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.id}
              data-import-agent={r.id}
              className="border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800"
            >
              <td className="py-1.5 pr-3">
                <div className="font-medium">{r.id}</div>
                {r.name !== r.id || r.openclawId !== r.id ? (
                  <div className="text-xs text-zinc-500">
                    {r.name}
                    {r.openclawId !== r.id ? ` · OpenClaw ${r.openclawId}` : ""}
                  </div>
                ) : null}
              </td>
              <td className="py-1.5 pr-3" data-col="action">
                <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${ACTION_CLASS[r.action]}`}>
                  {r.action}
                </span>
              </td>
              <td className="py-1.5 pr-3" data-col="pin">
                {r.pin === "local" ? (
                  <Badge tone="local">local</Badge>
                ) : (
                  <span className="text-xs text-zinc-500">{r.action === "create" ? "per task" : "unchanged"}</span>
                )}
              </td>
              <td className="py-1.5 pr-3 text-xs" data-col="local-model">
                <Value fromFile={r.localModel} effective={r.effective.localModel} />
              </td>
              <td className="py-1.5 pr-3 text-xs" data-col="claude-model">
                <Value fromFile={r.claudeModel} effective={r.effective.claudeModel} />
              </td>
              <td className="py-1.5 pr-3 text-xs" data-col="external-model">
                {r.externalModel ?? <span className="text-zinc-400">none</span>}
              </td>
              <td className="py-1.5 pr-3 text-right text-xs tabular-nums" data-col="heartbeat">
                <Value
                  fromFile={r.heartbeatMinutes}
                  effective={r.effective.heartbeatMinutes ? `${r.effective.heartbeatMinutes} min` : "off"}
                />
              </td>
              <td className="py-1.5 text-xs text-zinc-600 dark:text-zinc-400" data-col="changes">
                {r.action === "create" ? (
                  "new agent"
                ) : r.changes.length ? (
                  <ul>
                    {r.changes.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                ) : (
                  "none"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-zinc-500">
        Grey: not set in the file; Offload keeps the agent&rsquo;s current value, or its default for a new agent.
      </p>
    </div>
  );
}

function Notes({ warnings, ollamaOffer }: { warnings: string[]; ollamaOffer: string | null }) {
  if (!warnings.length && !ollamaOffer) return null;
  return (
    <div className="space-y-1 text-sm">
      {warnings.length ? (
        <ul aria-label="Import warnings" className="list-disc pl-5 text-amber-800 dark:text-amber-300">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {ollamaOffer ? (
        <p data-testid="ollama-offer" className="text-zinc-700 dark:text-zinc-300">
          {ollamaOffer}
        </p>
      ) : null}
    </div>
  );
}

export function OpenClawImport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [paste, setPaste] = useState("");
  // The text previewed (and imported: the import sends exactly what was previewed).
  const [source, setSource] = useState<{ text: string; fileName?: string } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);

  const previewImport = useMutation(
    trpc.openclaw.previewImport.mutationOptions({
      onSuccess: (p) => setPreview(p),
      onError: (e) => setError(`Not previewed: ${describeError(e, ERROR_LABEL, "config")}. Nothing was imported.`),
    }),
  );
  const runImport = useMutation(
    trpc.openclaw.import.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        setPreview(null);
      },
      onError: (e) => setError(`Not imported: ${describeError(e, ERROR_LABEL, "config")}. Nothing was stored.`),
      onSettled: () => {
        for (const key of [trpc.fleet.pathKey(), trpc.agents.pathKey(), trpc.tiers.pathKey(), trpc.models.pathKey()])
          void queryClient.invalidateQueries({ queryKey: key });
      },
    }),
  );

  const start = (text: string, fileName?: string) => {
    setError(null);
    setPreview(null);
    setResult(null);
    if (!text.trim()) {
      setSource(null);
      setError("OpenClaw config: the file is empty. Choose an openclaw.json or paste its text.");
      return;
    }
    const next = fileName ? { text, fileName } : { text };
    setSource(next);
    previewImport.mutate(next);
  };

  const onFile = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ""; // choosing the same file again previews it again
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setPreview(null);
      setResult(null);
      setError(
        `OpenClaw config file: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the server takes at most 4 MB.`,
      );
      return;
    }
    start(await file.text(), file.name);
  };

  const changing = preview ? preview.rows.filter((r) => r.action !== "same").length : 0;
  const busy = previewImport.isPending || runImport.isPending;

  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <div>
        <h3 id={`${id}-title`} className="text-sm font-semibold">
          Import agents from openclaw.json
        </h3>
        <p className="text-xs text-zinc-500">
          Creates or updates an Offload agent per OpenClaw agent, with its models and heartbeat; an agent on an{" "}
          <code>ollama/</code> model is pinned local. You see what would change first. The file&rsquo;s keys are neither
          stored nor shown.
        </p>
      </div>
      <div className="grid gap-3 md:grid-cols-2">
        <div>
          <label htmlFor={`${id}-file`} className="block text-sm font-medium">
            OpenClaw config file
          </label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".json,.json5,application/json"
            onChange={(e) => void onFile(e)}
            disabled={busy}
            className="mt-1 block w-full text-sm file:mr-3 file:rounded file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1 file:text-sm dark:file:border-zinc-700 dark:file:bg-zinc-900 dark:file:text-zinc-100"
          />
          <p className="mt-1 text-xs text-zinc-500">.json or .json5; previewed as soon as you choose it.</p>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            start(paste);
          }}
        >
          <label htmlFor={`${id}-paste`} className="block text-sm font-medium">
            Or paste its text
          </label>
          <textarea
            id={`${id}-paste`}
            value={paste}
            onChange={(e) => setPaste(e.target.value)}
            rows={3}
            spellCheck={false}
            placeholder='{ agents: { entries: { ops: { model: "anthropic/claude-opus-4-6" } } } }'
            className={`${inputClass} mt-1 block w-full font-mono text-xs`}
          />
          <button type="submit" disabled={busy || !paste.trim()} className={`${secondaryButtonClass} mt-2`}>
            Preview pasted config
          </button>
        </form>
      </div>

      {previewImport.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Reading the config…
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}

      {preview && source ? (
        <div className="space-y-3 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="import-preview">
          <div className="text-sm">
            <strong>Preview</strong>
            {source.fileName ? <> of {source.fileName}</> : null}: {preview.rows.length}{" "}
            {preview.rows.length === 1 ? "agent" : "agents"} in the file; nothing is stored until you import.
          </div>
          {preview.rows.length ? <PreviewTable rows={preview.rows} caption="Import preview" /> : null}
          <Notes warnings={preview.warnings} ollamaOffer={preview.ollamaOffer} />
          <div className="flex flex-wrap items-center gap-2">
            <button
              type="button"
              className={primaryButtonClass}
              disabled={busy || changing === 0}
              onClick={() => {
                setError(null);
                runImport.mutate(source);
              }}
            >
              {changing === 0
                ? "Nothing to import"
                : runImport.isPending
                  ? "Importing…"
                  : `Import ${changing} ${changing === 1 ? "agent" : "agents"}`}
            </button>
            <button
              type="button"
              className={secondaryButtonClass}
              disabled={busy}
              onClick={() => {
                setPreview(null);
                setSource(null);
              }}
            >
              Cancel
            </button>
            {changing === 0 && preview.rows.length ? (
              <span className="text-xs text-zinc-500">Every agent in the file is already as it says.</span>
            ) : null}
          </div>
        </div>
      ) : null}

      {result ? (
        <div
          className="space-y-3 rounded border border-green-200 p-3 dark:border-green-900"
          data-testid="import-result"
        >
          <p role="status" className="text-sm text-green-800 dark:text-green-300">
            Imported: {result.created} created, {result.updated} updated, {result.unchanged} unchanged. New agents have
            no key yet: Connect below issues them.
          </p>
          <PreviewTable rows={result.rows} caption="Imported agents" />
          <Notes warnings={result.warnings} ollamaOffer={result.ollamaOffer} />
        </div>
      ) : null}
    </section>
  );
}
