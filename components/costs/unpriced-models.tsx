"use client";
// The unpriced-models flag (Fleet and Costs pages): Claude turns of the last 30 days whose model has no
// price, so their cost is unknown and missing from every total. Each model gets an "Add price" button
// (the price form); turns recorded while their price was being added get "Reprice".
import { useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import { formatUtcDay } from "@/components/format";
import type { RouterOutputs } from "@/server/api/root";
import { PriceForm } from "./price-form";

type RetiredDays = RouterOutputs["models"]["repriceUnpriced"]["retired"];

/** What a repricing could not reach: days whose turns the retention period retired. */
function retiredNote(retired: RetiredDays): string {
  if (!retired) return "";
  return ` Turns before ${formatUtcDay(retired.before)} are retired, so a price cannot reach them: ${formatCount(retired.unpricedTurns)} unpriced Claude turn${retired.unpricedTurns === 1 ? "" : "s"} on ${formatCount(retired.days)} earlier day${retired.days === 1 ? "" : "s"} stay${retired.unpricedTurns === 1 ? "s" : ""} unpriced in the daily totals.`;
}

const buttonClass =
  "shrink-0 rounded border border-amber-400 bg-white px-2 py-1 text-xs font-medium text-amber-900 hover:bg-amber-100 disabled:opacity-50 dark:border-amber-700 dark:bg-zinc-900 dark:text-amber-200 dark:hover:bg-amber-950";

export function UnpricedModels() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data } = useSuspenseQuery(trpc.models.unpriced.queryOptions());
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // A new price moves costs everywhere (fleet, charts, agents): refetch what is on screen.
  const refresh = () => void queryClient.invalidateQueries();
  const reprice = useMutation(
    trpc.models.repriceUnpriced.mutationOptions({
      onSuccess: (r) =>
        setDone(
          `${formatCount(r.repricedTurns)} turn${r.repricedTurns === 1 ? "" : "s"} repriced (${formatMicroUsd(r.costChangeMicroUsd)}).${retiredNote(r.retired)}`,
        ),
      onSettled: refresh,
    }),
  );

  const status = done ? (
    <p role="status" className="mb-6 text-sm text-green-700 dark:text-green-300">
      {done}
    </p>
  ) : null;
  if (data.turns === 0) return status;
  return (
    <>
      {status}
      <section
        aria-label="Unpriced models"
        className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
      >
        <h2 className="font-semibold">
          {formatCount(data.turns)} Claude turn{data.turns === 1 ? "" : "s"} in the last {data.windowDays} days{" "}
          {data.turns === 1 ? "has" : "have"} no price
        </h2>
        <p className="mt-1 text-xs">
          Offload&apos;s price table lacks their model, so their cost is unknown and left out of every total and chart.
          Add the model&apos;s price and its past turns are repriced.
        </p>
        <ul className="mt-2 divide-y divide-amber-200 dark:divide-amber-900">
          {data.models.map((m) => {
            const id = `${m.priceKey}|${m.pricedNow}`;
            const others = m.names.filter((n) => n !== m.priceKey);
            return (
              <li key={id} data-unpriced-model={m.priceKey} className="py-2">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div className="min-w-0">
                    <span className="break-all font-medium">{m.priceKey}</span>
                    {others.length ? <span className="break-all text-xs"> ({others.join(", ")})</span> : null}
                    <span className="text-xs">
                      {" "}
                      · {formatCount(m.turns)} turn{m.turns === 1 ? "" : "s"}, the last on{" "}
                      {new Date(m.lastTurnAt).toISOString().slice(0, 10)}
                      {m.pricedNow ? " · priced since: these were recorded while the price was added" : ""}
                    </span>
                  </div>
                  {m.pricedNow ? (
                    <button
                      type="button"
                      className={buttonClass}
                      disabled={reprice.isPending}
                      onClick={() => reprice.mutate()}
                    >
                      Reprice
                    </button>
                  ) : open !== id ? (
                    <button
                      type="button"
                      className={buttonClass}
                      onClick={() => {
                        setDone(null);
                        setOpen(id);
                      }}
                      aria-label={`Add price for ${m.priceKey}`}
                    >
                      Add price
                    </button>
                  ) : null}
                </div>
                {open === id ? (
                  <PriceForm
                    entry={m}
                    onCancel={() => setOpen(null)}
                    onSaved={(r) => {
                      setOpen(null);
                      setDone(
                        `${r.change.subjectName} priced; ${formatCount(r.repricedTurns)} past turn${r.repricedTurns === 1 ? "" : "s"} repriced (${formatMicroUsd(r.costChangeMicroUsd)} added to the totals).${retiredNote(r.retired)}`,
                      );
                      refresh();
                    }}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
