"use client";
// Smoke runs side by side: the overall numbers, the capability matrix (✅/⚠️/❌ from measured pass
// rates, thresholds shown), per-capability and per-task pass rate, latency, tokens and cost, and
// the tier moves the local run's evidence supports, applied through the tier board's audited path.
import { useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@/server/api/root";
import { useTRPC } from "@/trpc/react";
import { Badge, Card } from "@/components/ui";
import { formatMicroUsd } from "@/server/core/money";
import { LANE_LABEL } from "@/server/core/lanes";

type Comparison = RouterOutputs["smoke"]["compare"];
type Run = Comparison["runs"][number];
type Stats = Run["summary"]["overall"];

const MARK_CLASS: Record<string, string> = {
  good: "bg-green-50 text-green-900 dark:bg-green-950 dark:text-green-100",
  fair: "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
  poor: "bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100",
};
const pct = (x: number) => `${Math.round(x * 100)}%`;
const ms = (x: number | null) =>
  x === null ? "–" : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toLocaleString("en-US")} ms`;

function PassCell({ s }: { s: Stats | undefined }) {
  if (!s || s.answers === 0) return <span className="text-zinc-400">not run</span>;
  return (
    <span className="tabular-nums" title={`95% interval ${pct(s.low)}–${pct(s.high)}`}>
      {s.passed}/{s.answers} <span className="text-zinc-500">({pct(s.rate)})</span>
      {s.flips ? (
        <span className="ml-1 text-amber-600" title="passes in some repetitions and fails in others">
          flips
        </span>
      ) : null}
    </span>
  );
}

function StatsTable({
  caption,
  rows,
  runs,
}: {
  caption: string;
  rows: { key: string; label: string; group?: string; stats: (run: Run) => Stats | undefined }[];
  runs: Run[];
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[720px] text-sm">
        <caption className="mb-2 text-left text-sm font-semibold">{caption}</caption>
        <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
          <tr>
            <th rowSpan={2} className="px-2 py-1 align-bottom">
              {caption.startsWith("By task") ? "Task" : "Capability"}
            </th>
            {runs.map((r) => (
              <th
                key={r.id}
                colSpan={5}
                className="border-l border-zinc-200 px-2 py-1 font-mono normal-case dark:border-zinc-800"
              >
                {r.model}
              </th>
            ))}
          </tr>
          <tr>
            {runs.map((r) => [
              <th key={`${r.id}-p`} className="border-l border-zinc-200 px-2 py-1 dark:border-zinc-800">
                Passed
              </th>,
              <th key={`${r.id}-l`} className="px-2 py-1">
                p50 / p95
              </th>,
              <th key={`${r.id}-t`} className="px-2 py-1">
                Tokens
              </th>,
              <th key={`${r.id}-c`} className="px-2 py-1">
                Cost a run
              </th>,
              <th key={`${r.id}-k`} className="px-2 py-1">
                Per 1,000 runs
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.key}
              className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
              data-row={row.key}
            >
              <td className="px-2 py-1">
                {row.label}
                {row.group ? <div className="text-xs text-zinc-500">{row.group}</div> : null}
              </td>
              {runs.map((r) => {
                const s = row.stats(r);
                return [
                  <td key={`${r.id}-p`} className="border-l border-zinc-200 px-2 py-1 dark:border-zinc-800">
                    <PassCell s={s} />
                  </td>,
                  <td key={`${r.id}-l`} className="px-2 py-1 tabular-nums">
                    {s ? `${ms(s.latencyP50Ms)} / ${ms(s.latencyP95Ms)}` : "–"}
                  </td>,
                  <td key={`${r.id}-t`} className="px-2 py-1 tabular-nums">
                    {s?.tokensPerAnswer?.toLocaleString("en-US") ?? "–"}
                  </td>,
                  <td key={`${r.id}-c`} className="px-2 py-1 tabular-nums">
                    {s ? formatMicroUsd(s.costPerRunMicroUsd) : "–"}
                  </td>,
                  <td key={`${r.id}-k`} className="px-2 py-1 tabular-nums">
                    {s ? formatMicroUsd(s.costPer1000RunsMicroUsd) : "–"}
                  </td>,
                ];
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RunComparison({ ids }: { ids: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: options } = useSuspenseQuery(trpc.smoke.options.queryOptions());
  const { data } = useSuspenseQuery(trpc.smoke.compare.queryOptions({ ids }));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const move = useMutation(trpc.tiers.moveTaskType.mutationOptions());
  const taskTitle = new Map(options.tasks.map((t) => [t.id, t.title]));
  const capLabel = new Map(options.capabilities.map((c) => [c.id, c.label]));
  const { runs, proposals } = data;

  async function apply(list: Comparison["proposals"]) {
    setMessage(null);
    const done: string[] = [];
    const already: string[] = [];
    let failed = false;
    for (const p of list) {
      try {
        // `from`: refused if the task type moved since this evidence was read (the board, another operator).
        const change = await move.mutateAsync({
          id: p.taskTypeId,
          lane: p.to,
          from: p.from,
          note: `smoke evidence (run ${data.evidenceRunId}): ${p.evidence}`.slice(0, 500),
        });
        (change ? done : already).push(`${p.taskTypeName} → ${LANE_LABEL[p.to]}`);
      } catch (err) {
        failed = true;
        setMessage({
          ok: false,
          text: `Could not move ${p.taskTypeName}: ${(err as Error).message}${done.length ? `. Moved before the error: ${done.join(", ")}` : ""}`,
        });
        break;
      }
    }
    if (!failed) {
      const parts = [
        done.length
          ? `Moved ${done.join(", ")}. Routing follows at once; the Tiers page's audit lists each change with undo.`
          : "",
        already.length ? `Already there: ${already.join(", ")}.` : "",
      ];
      setMessage({ ok: true, text: parts.filter(Boolean).join(" ") });
    }
    void queryClient.invalidateQueries({ queryKey: trpc.smoke.compare.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.tiers.board.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
  }

  return (
    <div className="space-y-6">
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
        {runs.map((r) => {
          const o = r.summary.overall;
          return (
            <Card key={r.id}>
              <div className="text-xs font-medium uppercase tracking-wide text-zinc-500">
                {r.provider === "ollama" ? "Local" : "Claude"} · {new Date(r.startedAt).toLocaleString()}
              </div>
              <div className="mt-1 truncate font-mono text-sm font-medium">{r.model}</div>
              <div className="mt-2 text-2xl font-semibold tabular-nums" data-testid="smoke-overall">
                {o.passed}/{o.answers}
              </div>
              <div className="text-xs text-zinc-500">
                passed ({pct(o.rate)}, 95% interval {pct(o.low)}–{pct(o.high)})
                {r.status !== "passed" && r.status !== "failed"
                  ? ` · ${r.status}: partial, costs cover the tasks it answered, no proposals from it`
                  : ""}
              </div>
              <dl className="mt-2 grid grid-cols-2 gap-x-2 text-xs">
                <dt className="text-zinc-500">Latency p50 / p95</dt>
                <dd className="tabular-nums">
                  {ms(o.latencyP50Ms)} / {ms(o.latencyP95Ms)}
                </dd>
                <dt className="text-zinc-500">Tokens an answer</dt>
                <dd className="tabular-nums">{o.tokensPerAnswer?.toLocaleString("en-US") ?? "–"}</dd>
                <dt className="text-zinc-500">Cost a run</dt>
                <dd className="tabular-nums">{formatMicroUsd(o.costPerRunMicroUsd)}</dd>
                <dt className="text-zinc-500">Per 1,000 runs</dt>
                <dd className="tabular-nums">{formatMicroUsd(o.costPer1000RunsMicroUsd)}</dd>
              </dl>
            </Card>
          );
        })}
      </div>

      <Card>
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Capability matrix">
            <caption className="mb-2 text-left text-sm font-semibold">Capability matrix</caption>
            <thead className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-2 py-1">Capability</th>
                {runs.map((r) => (
                  <th key={r.id} className="px-2 py-1 font-mono normal-case">
                    {r.model}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {options.capabilities.map((c) => (
                <tr
                  key={c.id}
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                  data-capability={c.id}
                >
                  <td className="px-2 py-1">{c.label}</td>
                  {runs.map((r) => {
                    const mark = r.marks[c.id];
                    const s = r.summary.byCapability[c.id];
                    const symbol = options.marks.find((m) => m.mark === mark)?.symbol;
                    return (
                      <td
                        key={r.id}
                        className={`px-2 py-1 tabular-nums ${mark ? MARK_CLASS[mark] : ""}`}
                        data-mark={mark ?? "none"}
                      >
                        {symbol && s ? (
                          `${symbol} ${s.passed}/${s.answers}`
                        ) : (
                          <span className="text-zinc-400">not run</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-2 text-xs text-zinc-500">
          {options.marks.map((m) => `${m.symbol} ${m.meaning}`).join(" · ")} of its answers.
        </p>
      </Card>

      <Card>
        <h2 className="text-sm font-semibold">Tier moves the evidence supports</h2>
        {!data.evidenceRunId ? (
          <p className="mt-1 text-sm text-zinc-500">
            Proposals come from a finished local run: include one in the comparison.
          </p>
        ) : proposals.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-500" data-testid="no-proposals">
            None: the lanes already match this evidence, or there is too little of it. Moving Claude work to Local with
            care needs every capability it relies on at ✅ with the lower end of the 95% interval at{" "}
            {pct(options.promotionMinLowerBound)} or more (10 passes out of 10: repeat the suite); moving local work
            towards Claude needs at least {options.demotionMinAnswers} answers of the capability (a ⚠️ adds the check of
            Local with care, a ❌ sends it to Claude unless Claude did no better).
          </p>
        ) : (
          <>
            <ul className="mt-2 space-y-2">
              {proposals.map((p) => (
                <li
                  key={p.taskTypeId}
                  className="flex flex-col gap-2 rounded border border-zinc-200 p-2 text-sm sm:flex-row sm:items-center sm:justify-between dark:border-zinc-800"
                  data-proposal={p.taskTypeId}
                >
                  <span className="min-w-0 flex-1">
                    {p.question} <Badge tone={p.from}>{LANE_LABEL[p.from]}</Badge> →{" "}
                    <Badge tone={p.to}>{LANE_LABEL[p.to]}</Badge>
                  </span>
                  <button
                    type="button"
                    disabled={move.isPending}
                    onClick={() => void apply([p])}
                    className="self-start rounded bg-zinc-900 sm:self-center px-3 py-1 text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
                  >
                    Move {p.taskTypeName}
                  </button>
                </li>
              ))}
            </ul>
            {proposals.length > 1 ? (
              <button
                type="button"
                disabled={move.isPending}
                onClick={() => void apply(proposals)}
                className="mt-2 rounded border border-zinc-400 px-3 py-1 text-sm disabled:opacity-50"
              >
                Apply all {proposals.length}
              </button>
            ) : null}
          </>
        )}
        {message ? (
          <p
            role={message.ok ? "status" : "alert"}
            className={`mt-2 text-sm ${message.ok ? "text-green-700 dark:text-green-300" : "text-red-700 dark:text-red-300"}`}
          >
            {message.text}
          </p>
        ) : null}
      </Card>

      <Card>
        <StatsTable
          caption="By capability"
          runs={runs}
          rows={options.capabilities.map((c) => ({
            key: c.id,
            label: c.label,
            stats: (r) => r.summary.byCapability[c.id],
          }))}
        />
      </Card>
      <Card>
        <StatsTable
          caption="By task"
          runs={runs}
          rows={options.tasks.map((t) => ({
            key: t.id,
            label: taskTitle.get(t.id) ?? t.id,
            group: capLabel.get(t.capability),
            stats: (r) => r.summary.byTask[t.id],
          }))}
        />
      </Card>
    </div>
  );
}
