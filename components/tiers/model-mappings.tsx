"use client";
// Model mappings: serve another Claude model than the one an agent asks for (opus to sonnet, say), for
// the fleet, one agent or one task type. Each row says what it changes in price per million tokens;
// adding and removing are audited (the audit panel lists them, with undo).
import { useId, useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { describePricePair } from "@/components/format";
import { formatMicroUsd } from "@/server/core/money";
import { normalizeModelName, priceKeyOf } from "@/server/core/cost/suggest-price";
import type { RouterOutputs } from "@/server/api/root";

type View = RouterOutputs["models"]["mappings"];
type Mapping = View["mappings"][number];
type Price = NonNullable<Mapping["fromPrice"]>;

const inputClass =
  "mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

function percentChange(from: bigint, to: bigint): string {
  if (from === 0n) return "";
  const pct = Math.round((Number(to - from) / Number(from)) * 100);
  return pct === 0 ? "same price" : `${pct > 0 ? "+" : "−"}${Math.abs(pct)}% per token`;
}

function PriceChange({ m }: { m: Mapping }) {
  if (!m.toPrice)
    return (
      <span className="text-amber-700 dark:text-amber-300">{m.to} has no price: its turns are recorded unpriced</span>
    );
  if (!m.fromPrice) return <span>{describePricePair(m.toPrice)} (the requested model has no price)</span>;
  const dearer = m.toPrice.output > m.fromPrice.output;
  return (
    <span>
      in {formatMicroUsd(m.fromPrice.input)} → {formatMicroUsd(m.toPrice.input)} · out{" "}
      {formatMicroUsd(m.fromPrice.output)} → {formatMicroUsd(m.toPrice.output)} per MTok{" "}
      <span
        className={
          dearer ? "font-medium text-red-700 dark:text-red-300" : "font-medium text-green-700 dark:text-green-400"
        }
      >
        ({percentChange(m.fromPrice.output, m.toPrice.output)})
      </span>
    </span>
  );
}

export function ModelMappings({
  agents,
  taskTypes,
}: {
  agents: { id: string; name: string }[];
  taskTypes: { id: string; name: string }[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data } = useSuspenseQuery(trpc.models.mappings.queryOptions());
  const formId = useId();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [agentId, setAgentId] = useState("");
  const [taskTypeId, setTaskTypeId] = useState("");
  const [note, setNote] = useState("");
  const [confirmUnpriced, setConfirmUnpriced] = useState(false);
  const [message, setMessage] = useState<{ tone: "error" | "ok"; text: string } | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.models.mappings.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
  };
  const add = useMutation(
    trpc.models.addMapping.mutationOptions({
      onSuccess: (change) => {
        setMessage({ tone: "ok", text: `Mapped ${change.subjectName} to ${to.trim()}; the gateway applies it now.` });
        setFrom("");
        setTo("");
        setNote("");
        setConfirmUnpriced(false);
      },
      onError: (err) => setMessage({ tone: "error", text: `Could not add the mapping: ${err.message}` }),
      onSettled: refresh,
    }),
  );
  const remove = useMutation(
    trpc.models.removeMapping.mutationOptions({
      onSuccess: (change) => setMessage({ tone: "ok", text: `Removed the mapping of ${change.subjectName}.` }),
      onError: (err) => setMessage({ tone: "error", text: `Could not remove the mapping: ${err.message}` }),
      onSettled: refresh,
    }),
  );

  const priced = new Map<string, Price>(data.pricedModels.map((m) => [m.model, m.price]));
  const toTrimmed = to.trim();
  const toUnpriced =
    toTrimmed !== "" && !priced.has(normalizeModelName(toTrimmed)) && !priced.has(priceKeyOf(toTrimmed));
  const fromOptions = [...new Set([...data.fleetModels, ...data.pricedModels.map((m) => m.model)])].sort();

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setMessage(null);
    add.mutate({
      from: from.trim(),
      to: toTrimmed,
      agentId: agentId || null,
      taskTypeId: taskTypeId || null,
      ...(toUnpriced ? { confirmUnpriced } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };

  return (
    <Card>
      <h2 className="font-semibold">Model mappings</h2>
      <p className="mb-3 text-xs text-zinc-500">
        Serve another Claude model than the one an agent asks for. The most specific mapping wins (an agent&apos;s task
        type, then the agent, then the task type, then the fleet). Turns record both models and are priced at the one
        served.
      </p>
      {message ? (
        <p
          role={message.tone === "error" ? "alert" : "status"}
          className={`mb-2 text-sm ${message.tone === "error" ? "text-red-700 dark:text-red-300" : "text-green-700 dark:text-green-300"}`}
        >
          {message.text}
        </p>
      ) : null}
      {data.mappings.length === 0 ? (
        <p className="text-sm text-zinc-500">No mappings: every turn gets the model it asks for.</p>
      ) : (
        <ul aria-label="Model mappings" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {data.mappings.map((m) => (
            <li key={m.key} data-mapping={m.key} className="flex items-start justify-between gap-3 py-2 text-sm">
              <div className="min-w-0">
                <div className="break-words">
                  <span className="font-medium">{m.from}</span> → <span className="font-medium">{m.to}</span>
                </div>
                <div className="text-xs text-zinc-500">
                  {m.agentId ? `agent ${m.agentName ?? m.agentId}` : "every agent"} ·{" "}
                  {m.taskTypeId ? `${m.taskTypeName ?? m.taskTypeId} only` : "every task type"}
                </div>
                <div className="text-xs tabular-nums">
                  <PriceChange m={m} />
                </div>
              </div>
              <button
                type="button"
                onClick={() => {
                  setMessage(null);
                  remove.mutate({ from: m.from, agentId: m.agentId, taskTypeId: m.taskTypeId });
                }}
                disabled={remove.isPending}
                aria-label={`Remove the mapping of ${m.from} to ${m.to}`}
                className="shrink-0 rounded border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}

      <form
        onSubmit={submit}
        aria-label="Add a model mapping"
        className="mt-4 border-t border-zinc-100 pt-3 dark:border-zinc-800"
      >
        <h3 className="text-sm font-medium">Add a mapping</h3>
        <div className="mt-2 grid gap-3 sm:grid-cols-2">
          <label className="text-xs text-zinc-500">
            Requested model
            <input
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              list={`${formId}-from`}
              required
              placeholder="claude-opus-4-6"
              className={inputClass}
            />
            <datalist id={`${formId}-from`}>
              {fromOptions.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </label>
          <label className="text-xs text-zinc-500">
            Served instead
            <input
              value={to}
              onChange={(e) => setTo(e.target.value)}
              list={`${formId}-to`}
              required
              placeholder="claude-sonnet-4-6"
              className={inputClass}
            />
            <datalist id={`${formId}-to`}>
              {data.pricedModels.map((m) => (
                <option key={m.model} value={m.model} label={describePricePair(m.price)} />
              ))}
            </datalist>
          </label>
          <div className="text-xs text-zinc-500">
            <label htmlFor={`${formId}-agent`}>Agent</label>
            <select
              id={`${formId}-agent`}
              value={agentId}
              onChange={(e) => setAgentId(e.target.value)}
              className={inputClass}
            >
              <option value="">every agent</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
          <div className="text-xs text-zinc-500">
            <label htmlFor={`${formId}-task-type`}>Task type</label>
            <select
              id={`${formId}-task-type`}
              value={taskTypeId}
              onChange={(e) => setTaskTypeId(e.target.value)}
              className={inputClass}
            >
              <option value="">every task type</option>
              {taskTypes.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <label className="text-xs text-zinc-500 sm:col-span-2">
            Reason (optional, kept in the audit)
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              placeholder="why this mapping"
              className={inputClass}
            />
          </label>
        </div>
        {toUnpriced ? (
          <label className="mt-2 flex items-start gap-2 text-xs text-amber-800 dark:text-amber-300">
            <input
              type="checkbox"
              checked={confirmUnpriced}
              onChange={(e) => setConfirmUnpriced(e.target.checked)}
              className="mt-0.5"
            />
            Offload has no price for {toTrimmed}: its turns will be recorded unpriced. Map to it anyway.
          </label>
        ) : null}
        <button
          type="submit"
          disabled={add.isPending || !from.trim() || !toTrimmed || (toUnpriced && !confirmUnpriced)}
          className="mt-3 rounded bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Add mapping
        </button>
      </form>
    </Card>
  );
}
