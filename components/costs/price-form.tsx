"use client";
// The small form that prices an unpriced model: five prices in USD per million tokens, prefilled from
// the nearest model of the same family when there is one. Saved as an operator price (audited); the
// model's past unpriced turns are repriced with it.
import { useId, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";

type UnpricedModel = RouterOutputs["models"]["unpriced"]["models"][number];
type UsdPerMTok = RouterInputs["models"]["addPrice"]["usdPerMTok"];
type PriceResult = RouterOutputs["models"]["addPrice"];

const FIELDS: { key: keyof UsdPerMTok; label: string }[] = [
  { key: "input", label: "Input" },
  { key: "output", label: "Output" },
  { key: "cache_write_5m", label: "Cache write 5m" },
  { key: "cache_write_1h", label: "Cache write 1h" },
  { key: "cache_read", label: "Cache read" },
];

const inputClass =
  "mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";

export function PriceForm({
  entry,
  onSaved,
  onCancel,
}: {
  entry: UnpricedModel;
  onSaved: (result: PriceResult) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [model, setModel] = useState(entry.priceKey);
  const [values, setValues] = useState<Record<keyof UsdPerMTok, string>>(() => {
    const s = entry.suggestion?.usdPerMTok;
    return {
      input: s ? String(s.input) : "",
      output: s ? String(s.output) : "",
      cache_write_5m: s ? String(s.cache_write_5m) : "",
      cache_write_1h: s ? String(s.cache_write_1h) : "",
      cache_read: s ? String(s.cache_read) : "",
    };
  });
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.models.addPrice.mutationOptions({
      onSuccess: onSaved,
      onError: (err) => setError(`Could not save the price: ${err.message}`),
    }),
  );

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const usd = {} as UsdPerMTok;
    for (const f of FIELDS) {
      const text = values[f.key].trim();
      const n = Number(text);
      if (text === "" || !Number.isFinite(n) || n < 0) {
        setError(`${f.label}: enter a price in USD per million tokens, 0 or more`);
        return;
      }
      usd[f.key] = n;
    }
    save.mutate({ model: model.trim(), usdPerMTok: usd, ...(note.trim() ? { note: note.trim() } : {}) });
  };

  return (
    <form
      onSubmit={submit}
      aria-label={`Price for ${entry.priceKey}`}
      className="mt-2 rounded border border-amber-200 bg-white p-3 text-zinc-900 dark:border-amber-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        {entry.suggestion
          ? `Prefilled with ${entry.suggestion.basedOn}'s price (the same family): check it against Anthropic's price list.`
          : "No similar model in the price table: enter Anthropic's list prices."}{" "}
        USD per million tokens.
      </p>
      <div className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <label className="col-span-2 text-xs text-zinc-500 sm:col-span-3 lg:col-span-1">
          Model
          <input value={model} onChange={(e) => setModel(e.target.value)} required className={inputClass} />
        </label>
        {FIELDS.map((f) => (
          <label key={f.key} className="text-xs text-zinc-500" htmlFor={`${id}-${f.key}`}>
            {f.label}
            <input
              id={`${id}-${f.key}`}
              inputMode="decimal"
              value={values[f.key]}
              onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
              placeholder="0.00"
              className={`${inputClass} tabular-nums`}
            />
          </label>
        ))}
      </div>
      <label className="mt-2 block text-xs text-zinc-500">
        Reason (optional, kept in the audit)
        <input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
          placeholder="where the price comes from"
          className={inputClass}
        />
      </label>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <div className="mt-3 flex gap-2">
        <button
          type="submit"
          disabled={save.isPending}
          className="rounded bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Save price
        </button>
        <button
          type="button"
          onClick={onCancel}
          className="rounded border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
