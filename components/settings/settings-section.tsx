"use client";
// One section of the Settings page: its fields and one Save. A save is one change on the server (all
// of it or nothing, each changed setting audited); a refused value shows under its field, named.
import { useId, useState, type ReactNode } from "react";
import { useMutation, useQueryClient, useSuspenseQuery, type QueryKey } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import type { RouterInputs } from "@/server/api/root";
import {
  messageWithoutField,
  settingLabel,
  type FieldSpec,
  type SettingKey,
  type SettingsData,
} from "./setting-fields";

type Patch = RouterInputs["system"]["updateSettings"];
type Draft = Partial<Record<SettingKey, string | boolean>>;

export const inputClass =
  "rounded border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";
export const primaryButtonClass =
  "rounded bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300";

function shown(spec: FieldSpec, settings: SettingsData, draft: Draft): string | boolean {
  const edited = draft[spec.key];
  if (edited !== undefined) return edited;
  const value = settings[spec.key];
  return typeof value === "boolean" ? value : String(value);
}

/** The draft as a patch of the values that differ from the stored ones, or the field whose text is not a value. */
function toPatch(
  fields: FieldSpec[],
  settings: SettingsData,
  draft: Draft,
): { patch: Record<string, unknown> } | { field: SettingKey; message: string } {
  const patch: Record<string, unknown> = {};
  for (const spec of fields) {
    const edited = draft[spec.key];
    if (edited === undefined) continue;
    let value: unknown = edited;
    if (spec.kind === "integer" || spec.kind === "number") {
      const text = String(edited)
        .trim()
        .replace(/[,_\s]/g, "");
      const n = Number(text);
      if (text === "" || !Number.isFinite(n))
        return {
          field: spec.key,
          message: `enter a ${spec.kind === "integer" ? "whole number" : "number"}${spec.unit && spec.unit !== "0 to 1" ? ` of ${spec.unit}` : spec.unit ? ` from ${spec.unit}` : ""}`,
        };
      value = n;
    }
    if (JSON.stringify(value) !== JSON.stringify(settings[spec.key])) patch[spec.key] = value;
  }
  return { patch };
}

export function SettingsSection({
  title,
  description,
  fields,
  footer,
  invalidates = [],
  applies,
}: {
  title: string;
  description: ReactNode;
  fields: FieldSpec[];
  footer?: (draftValue: (key: SettingKey) => string | boolean) => ReactNode;
  /** More queries a save may change, read again after it. */
  invalidates?: QueryKey[];
  /** When a saved change takes effect, after "Saved …; " (default: the gateway's next turn). */
  applies?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: settings } = useSuspenseQuery(trpc.system.settings.queryOptions());
  const id = useId();
  const [draft, setDraft] = useState<Draft>({});
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<Partial<Record<SettingKey, string>>>({});
  const [message, setMessage] = useState<{ tone: "error" | "ok"; text: string } | null>(null);

  const save = useMutation(
    trpc.system.updateSettings.mutationOptions({
      onSuccess: (result) => {
        queryClient.setQueryData(trpc.system.settings.queryKey(), result.settings);
        setDraft({});
        setNote("");
        setMessage({
          tone: "ok",
          text:
            result.changes.length === 0
              ? "Nothing to change."
              : `Saved ${result.changes.map((c) => settingLabel(c.key)).join(", ")}; ${applies ?? `the gateway uses ${result.changes.length === 1 ? "it" : "them"} from the next turn.`}`,
        });
      },
      onError: (err) => {
        const field = err.data?.field?.split(".")[0];
        const spec = fields.find((f) => f.key === field);
        if (spec) {
          setErrors({ [spec.key]: `${spec.label}: ${messageWithoutField(err.message, err.data?.field)}` });
          setMessage({
            tone: "error",
            text: "Not saved: nothing was stored. Correct the marked field and save again.",
          });
        } else setMessage({ tone: "error", text: `Not saved: ${err.message}` });
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.system.settingChanges.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.system.settings.queryKey() });
        for (const queryKey of invalidates) void queryClient.invalidateQueries({ queryKey });
      },
    }),
  );

  const dirty = fields.some((f) => {
    const edited = draft[f.key];
    return edited !== undefined && String(edited) !== String(settings[f.key]);
  });

  const edit = (key: SettingKey, value: string | boolean) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    setErrors({});
    const result = toPatch(fields, settings, draft);
    if ("field" in result) {
      setErrors({ [result.field]: `${settingLabel(result.field)}: ${result.message}` });
      setMessage({ tone: "error", text: "Not saved: nothing was stored. Correct the marked field and save again." });
      return;
    }
    save.mutate({ ...result.patch, ...(note.trim() ? { note: note.trim() } : {}) } as Patch);
  };

  return (
    <Card>
      <form onSubmit={submit} aria-label={title} noValidate>
        <h2 className="font-semibold">{title}</h2>
        <p className="mb-3 text-xs text-zinc-500">{description}</p>
        <div className="space-y-4">
          {fields.map((spec) => {
            const value = shown(spec, settings, draft);
            const inputId = `${id}-${spec.key}`;
            const helpId = `${inputId}-help`;
            const errorId = `${inputId}-error`;
            const error = errors[spec.key];
            const describedBy = error ? `${errorId} ${helpId}` : helpId;
            const invalid = error ? "border-red-500 dark:border-red-500" : "";
            return (
              <div key={spec.key} data-setting={spec.key}>
                {spec.kind === "boolean" ? (
                  <label htmlFor={inputId} className="flex items-start gap-2 text-sm font-medium">
                    <input
                      id={inputId}
                      type="checkbox"
                      checked={value === true}
                      onChange={(e) => edit(spec.key, e.target.checked)}
                      aria-describedby={describedBy}
                      className="mt-0.5 h-4 w-4 shrink-0"
                    />
                    {spec.label}
                  </label>
                ) : (
                  <>
                    <label htmlFor={inputId} className="block text-sm font-medium">
                      {spec.label}
                      {spec.unit === "0 to 1" ? <span className="font-normal text-zinc-500"> (0 to 1)</span> : null}
                    </label>
                    <div className="mt-1 flex items-center gap-2">
                      {spec.kind === "choice" ? (
                        <select
                          id={inputId}
                          value={String(value)}
                          onChange={(e) => edit(spec.key, e.target.value)}
                          aria-describedby={describedBy}
                          aria-invalid={error ? true : undefined}
                          className={`${inputClass} ${invalid}`}
                        >
                          {spec.choices?.map((c) => (
                            <option key={c.value} value={c.value}>
                              {c.label}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input
                          id={inputId}
                          value={String(value)}
                          onChange={(e) => edit(spec.key, e.target.value)}
                          inputMode={
                            spec.kind === "integer" ? "numeric" : spec.kind === "number" ? "decimal" : undefined
                          }
                          aria-describedby={describedBy}
                          aria-invalid={error ? true : undefined}
                          className={`${inputClass} ${spec.kind === "text" || spec.wide ? "w-56" : "w-32 text-right tabular-nums"} ${invalid}`}
                        />
                      )}
                      {spec.unit && spec.kind !== "text" && spec.unit !== "0 to 1" ? (
                        <span className="text-sm text-zinc-500">{spec.unit}</span>
                      ) : null}
                    </div>
                  </>
                )}
                {error ? (
                  <p id={errorId} role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
                    {error}
                  </p>
                ) : null}
                <p id={helpId} className={`mt-1 text-xs text-zinc-500 ${spec.kind === "boolean" ? "ml-6" : ""}`}>
                  {spec.help} <code className="text-[11px] text-zinc-400">{spec.key}</code>
                </p>
              </div>
            );
          })}
        </div>
        {footer ? footer((key) => shown({ key } as FieldSpec, settings, draft)) : null}
        <div className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-100 pt-3 dark:border-zinc-800">
          <label className="min-w-48 flex-1 text-xs text-zinc-500">
            Reason (optional, kept in the audit)
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              placeholder="why this change"
              className={`${inputClass} mt-1 w-full`}
            />
          </label>
          <button type="submit" disabled={save.isPending || !dirty} className={primaryButtonClass}>
            {save.isPending ? "Saving…" : `Save ${title.toLowerCase()}`}
          </button>
          {dirty ? (
            <button
              type="button"
              onClick={() => {
                setDraft({});
                setErrors({});
                setMessage(null);
              }}
              className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Reset
            </button>
          ) : null}
        </div>
        {message ? (
          <p
            role={message.tone === "error" ? "alert" : "status"}
            className={`mt-2 text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
          >
            {message.text}
          </p>
        ) : null}
      </form>
    </Card>
  );
}
