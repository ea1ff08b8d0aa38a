"use client";
// The recurring turns of the last 7 UTC days (today so far included): the same instruction again and again (its fingerprint), by
// turns a day or by cost, with where a matching turn goes now and the operator's rule for it, if any.
// Each row assigns its fingerprint to a task type (or removes the rule), audited and undoable on the
// Tiers page; the row shows the result, or the error, at once.
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Ago, Badge, Card } from "@/components/ui";
import { LANE_LABEL } from "@/server/core/lanes";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import type { RouterOutputs } from "@/server/api/root";
import { FingerprintTemplate } from "./fingerprint-template";
import { TaskTypeSelect, type TaskTypeOption } from "./task-type-select";
import { recurringTurnsInput, type RecurringSort } from "./turns-inputs";

type Recurring = RouterOutputs["turns"]["recurring"]["fingerprints"][number];

const SORTS: { value: RecurringSort; label: string }[] = [
  { value: "turns", label: "Turns a day" },
  { value: "cost", label: "Cost" },
];

function formatPerDay(n: number): string {
  if (n >= 10) return formatCount(Math.round(n));
  return n.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

function RuleControl({ row, taskTypes }: { row: Recurring; taskTypes: readonly TaskTypeOption[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = row.rule?.taskTypeId ?? null;
  const [choice, setChoice] = useState(current ?? row.taskTypeId ?? "");
  // The rule changed (here, on another page, or by another operator): the select follows it.
  const [seenRule, setSeenRule] = useState(current);
  if (seenRule !== current) {
    setSeenRule(current);
    setChoice(current ?? row.taskTypeId ?? "");
  }
  const [message, setMessage] = useState<{ tone: "error" | "ok"; text: string } | null>(null);
  const nameOf = (id: string) => taskTypes.find((t) => t.id === id)?.name ?? id;
  const assign = useMutation(
    trpc.turns.assignFingerprint.mutationOptions({
      onMutate: () => setMessage(null),
      onSuccess: async (change, input) => {
        await Promise.all([
          queryClient.invalidateQueries(trpc.turns.pathFilter()),
          queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() }),
        ]);
        if (!change) setMessage({ tone: "ok", text: "Nothing to change: that is its rule already." });
        else if (input.taskTypeId === null)
          setMessage({ tone: "ok", text: "Rule removed: matching turns are routed as before (the classifier)." });
        else {
          const type = taskTypes.find((t) => t.id === input.taskTypeId);
          setMessage({
            tone: "ok",
            text: `Assigned: matching turns route as ${nameOf(input.taskTypeId)}${type ? ` (${LANE_LABEL[type.lane]})` : ""} from now on.`,
          });
        }
      },
      onError: (err) => {
        setMessage({ tone: "error", text: err.message });
        // A conflict means someone else changed it: show what it is now.
        void queryClient.invalidateQueries(trpc.turns.pathFilter());
      },
    }),
  );
  const label = `Task type for “${row.template.slice(0, 60)}”`;
  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-center gap-2">
        <TaskTypeSelect
          taskTypes={taskTypes}
          value={choice}
          onChange={setChoice}
          label={label}
          className="w-48"
          disabled={assign.isPending}
        />
        <button
          type="button"
          disabled={assign.isPending || !choice || choice === current}
          onClick={() => assign.mutate({ id: row.id, taskTypeId: choice, from: current })}
          className="rounded bg-zinc-900 px-3 py-1 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-40 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Assign
        </button>
        {current ? (
          <button
            type="button"
            disabled={assign.isPending}
            onClick={() => assign.mutate({ id: row.id, taskTypeId: null, from: current })}
            className="rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-40 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            Remove rule
          </button>
        ) : null}
      </div>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`max-w-xs text-xs ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
        >
          {message.tone === "error" ? `Could not change the rule: ${message.text}` : message.text}
        </p>
      ) : null}
    </div>
  );
}

export function RecurringTurns({
  sort,
  onSort,
  selected,
  onSelect,
  taskTypes,
}: {
  sort: RecurringSort;
  onSort: (sort: RecurringSort) => void;
  selected: string | null;
  onSelect: (fingerprint: string | null, template?: string) => void;
  taskTypes: readonly TaskTypeOption[];
}) {
  const trpc = useTRPC();
  const recurring = useQuery({
    ...trpc.turns.recurring.queryOptions(recurringTurnsInput(sort)),
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    refetchInterval: 30_000,
  });
  const nameOf = (id: string) => taskTypes.find((t) => t.id === id)?.name ?? id;
  const now = new Date();
  return (
    <Card className="overflow-hidden">
      <div className="flex flex-wrap items-start justify-between gap-3 pb-3">
        <div>
          <h2 className="font-semibold">Recurring turns</h2>
          <p className="max-w-3xl text-xs text-zinc-500">
            The same instruction again and again (numbers, times, paths and ids removed), over the last{" "}
            {recurring.data?.windowDays ?? 7} days (UTC days, today so far included; per day: averaged over the time
            observed). Assign one to a task type and every matching turn routes as it, after an agent&apos;s pin and an
            explicit task type header, before the classifier. Click an instruction to see its turns below.
          </p>
        </div>
        <div
          role="group"
          aria-label="Sort recurring turns by"
          className="flex rounded-md border border-zinc-300 p-0.5 text-xs dark:border-zinc-700"
        >
          {SORTS.map((s) => (
            <button
              key={s.value}
              type="button"
              aria-pressed={sort === s.value}
              onClick={() => onSort(s.value)}
              className={`rounded px-2.5 py-1 ${sort === s.value ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"}`}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      {recurring.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading the recurring turns…
        </p>
      ) : recurring.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          Could not load the recurring turns: {recurring.error.message}
        </p>
      ) : recurring.data.fingerprints.length === 0 ? (
        <p className="text-sm text-zinc-500">
          No recurring turns in the last {recurring.data.windowDays} days. Turns sent through the gateway are
          fingerprinted; reported and demo turns are not.
        </p>
      ) : (
        <div className="-mx-4 -mb-4 overflow-x-auto">
          <table aria-label="Recurring turns" className="w-full min-w-[960px] text-sm">
            <thead className="border-y whitespace-nowrap border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-4 py-2">Instruction</th>
                <th className="px-3 py-2 text-right">Turns/day</th>
                <th className="px-3 py-2 text-right">Cost/day</th>
                <th className="px-3 py-2 text-right">To Claude</th>
                <th className="px-3 py-2">Goes to · rule</th>
                <th className="px-4 py-2">Assign to a task type</th>
              </tr>
            </thead>
            <tbody>
              {recurring.data.fingerprints.map((f) => (
                <tr
                  key={f.id}
                  data-fingerprint={f.id}
                  className={`border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800 ${selected === f.id ? "bg-blue-50 dark:bg-blue-950/40" : ""}`}
                >
                  <td className="px-4 py-2.5">
                    <button
                      type="button"
                      onClick={() => onSelect(selected === f.id ? null : f.id, f.template)}
                      aria-pressed={selected === f.id}
                      title={selected === f.id ? "Show every recent turn again" : "Show only its turns in Recent turns"}
                      className="text-left text-[13px] leading-snug break-words hover:underline"
                    >
                      <FingerprintTemplate template={f.template} />
                    </button>
                    <div className="mt-1 text-xs text-zinc-500">
                      {formatCount(f.turns)} turns · last <Ago at={f.lastSeenAt} now={now} /> ·{" "}
                      <span className="font-mono">{f.id}</span>
                    </div>
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">
                    <div data-testid="turns-per-day">{formatPerDay(f.turnsPerDay)}</div>
                    <div className="text-xs text-zinc-500">
                      {f.agents} {f.agents === 1 ? "agent" : "agents"}
                    </div>
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">
                    <div>{formatMicroUsd(f.costMicroUsdPerDay)}</div>
                    <div
                      className="text-xs whitespace-nowrap text-zinc-500"
                      title="What the same turns would cost on Claude"
                    >
                      {formatMicroUsd(f.counterfactualMicroUsdPerDay)} on Claude
                    </div>
                  </td>
                  <td className="px-3 py-2.5 text-right tabular-nums">
                    <div>{Math.round(f.claudeShare * 100)}%</div>
                    <div
                      className={`text-xs whitespace-nowrap ${f.contextForcedTurns ? "text-amber-700 dark:text-amber-400" : "text-zinc-500"}`}
                      title="Turns sent to Claude only because the prompt did not fit the local model's context"
                    >
                      {f.contextForcedTurns} by context
                    </div>
                  </td>
                  <td className="min-w-52 px-3 py-2.5">
                    <Badge tone={f.lane}>{LANE_LABEL[f.lane]}</Badge>
                    <div className="mt-1 text-xs text-zinc-500">
                      {f.rule ? (
                        <>
                          <span className="font-medium text-zinc-700 dark:text-zinc-300">
                            Rule: {nameOf(f.rule.taskTypeId)}
                          </span>
                          <br />
                          by {f.rule.assignedBy ?? "someone"}
                          {f.rule.assignedAt ? (
                            <>
                              , <Ago at={f.rule.assignedAt} now={now} />
                            </>
                          ) : null}
                        </>
                      ) : (
                        <>
                          No rule
                          {f.taskTypeId ? (
                            <>
                              <br />
                              latest as {nameOf(f.taskTypeId)}
                            </>
                          ) : null}
                        </>
                      )}
                    </div>
                  </td>
                  <td className="px-4 py-2.5">
                    <RuleControl row={f} taskTypes={taskTypes} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
