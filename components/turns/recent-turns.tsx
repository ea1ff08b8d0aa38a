"use client";
// The fleet's latest turns with why each went where it did: the routing reason (in full on demand),
// the classifier's confidence, the prompt's size and a mark where only the local context sent it to
// Claude. Filtered by agent and by recurring instruction (fingerprint).
import { useState } from "react";
import Link from "next/link";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Badge, Card } from "@/components/ui";
import { LANE_LABEL } from "@/server/core/lanes";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import type { RouterOutputs } from "@/server/api/root";
import { formatUtcDay } from "@/components/format";
import { FingerprintTemplate } from "./fingerprint-template";
import { RECENT_TURNS_LIMIT, recentTurnsInput } from "./turns-inputs";

type RecentTurn = RouterOutputs["turns"]["recent"][number];
type AgentOption = { id: string; name: string };

function WhyCell({ turn, onFingerprint }: { turn: RecentTurn; onFingerprint: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const reason = turn.reason ?? "no reason recorded";
  return (
    <td className="px-3 py-1.5 align-top">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        title={open ? "Show less" : reason}
        className={`block max-w-[22rem] text-left text-xs hover:text-zinc-900 dark:hover:text-zinc-100 ${open ? "break-words whitespace-normal" : "truncate"} ${turn.reason ? "text-zinc-700 dark:text-zinc-300" : "text-zinc-400"}`}
      >
        {reason}
      </button>
      {open && turn.fingerprint ? (
        <div className="mt-1 max-w-[22rem] text-xs text-zinc-500">
          Instruction: <FingerprintTemplate template={turn.template ?? turn.fingerprint} className="break-words" />{" "}
          <button
            type="button"
            onClick={() => onFingerprint(turn.fingerprint!)}
            className="text-blue-700 hover:underline dark:text-blue-400"
          >
            only these turns
          </button>
        </div>
      ) : null}
    </td>
  );
}

export function RecentTurns({
  agentId,
  fingerprint,
  onAgent,
  onFingerprint,
  agents,
  fingerprintTemplate,
  turnsRetainedFrom,
}: {
  agentId: string | null;
  fingerprint: string | null;
  onAgent: (id: string | null) => void;
  onFingerprint: (id: string | null) => void;
  agents: readonly AgentOption[];
  /** The selected fingerprint's template, when the recurring list knows it. */
  fingerprintTemplate: string | null;
  /** The day raw turns are kept from (YYYY-MM-DD), when older ones were retired by the retention period. */
  turnsRetainedFrom: string | null;
}) {
  const trpc = useTRPC();
  const recent = useQuery({
    ...trpc.turns.recent.queryOptions(recentTurnsInput({ agentId, fingerprint })),
    placeholderData: keepPreviousData,
    // A live list: new turns show within seconds, and a filter chosen again is fetched afresh.
    staleTime: 5_000,
    refetchInterval: 10_000,
  });
  const template = fingerprintTemplate ?? recent.data?.find((t) => t.fingerprint === fingerprint)?.template ?? null;
  const knownAgent = !agentId || agents.some((a) => a.id === agentId);
  return (
    <Card className="overflow-hidden">
      <div id="recent-turns" className="flex flex-wrap items-end justify-between gap-3 pb-3">
        <div>
          <h2 className="font-semibold">Recent turns</h2>
          <p className="text-xs text-zinc-500">
            The latest {RECENT_TURNS_LIMIT} turns{agentId || fingerprint ? " that match" : " of the fleet"}, newest
            first. Click a reason to read it in full. Times are UTC.
          </p>
          {turnsRetainedFrom ? (
            <p className="text-xs text-zinc-500" data-testid="turns-retired-notice">
              Turns before {formatUtcDay(turnsRetainedFrom)} are retired; their totals are on the{" "}
              <Link href="/costs" className="text-blue-700 hover:underline dark:text-blue-400">
                Costs page
              </Link>
              .
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          {fingerprint ? (
            <span className="flex max-w-md items-center gap-1 rounded-full border border-blue-300 bg-blue-50 py-0.5 pr-1 pl-3 text-xs text-blue-900 dark:border-blue-800 dark:bg-blue-950 dark:text-blue-100">
              <span className="truncate" title={template ?? fingerprint}>
                Instruction: <FingerprintTemplate template={template ?? fingerprint} />
              </span>
              <button
                type="button"
                aria-label="Clear the instruction filter"
                onClick={() => onFingerprint(null)}
                className="rounded-full px-1.5 hover:bg-blue-100 dark:hover:bg-blue-900"
              >
                ✕
              </button>
            </span>
          ) : null}
          <label className="flex items-center gap-2">
            <span className="text-xs text-zinc-500">Agent</span>
            <select
              aria-label="Filter by agent"
              value={agentId ?? ""}
              onChange={(e) => onAgent(e.target.value || null)}
              className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            >
              <option value="">All agents</option>
              {!knownAgent && agentId ? <option value={agentId}>{agentId}</option> : null}
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {recent.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading the recent turns…
        </p>
      ) : recent.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          Could not load the recent turns: {recent.error.message}
        </p>
      ) : recent.data.length === 0 ? (
        <p className="text-sm text-zinc-500">
          {agentId || fingerprint ? "No turns match these filters." : "No turns yet."}
          {turnsRetainedFrom ? ` Turns before ${formatUtcDay(turnsRetainedFrom)} are retired.` : ""}
        </p>
      ) : (
        <div className={`-mx-4 -mb-4 overflow-x-auto ${recent.isPlaceholderData ? "opacity-60" : ""}`}>
          <table aria-label="Recent turns" className="w-full min-w-[1040px] text-sm">
            <thead className="border-y whitespace-nowrap border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <tr>
                <th className="px-4 py-2">When</th>
                <th className="px-3 py-2">Agent</th>
                <th className="px-3 py-2">Task type</th>
                <th className="px-3 py-2">Lane · model</th>
                <th className="px-3 py-2">Status</th>
                <th className="px-3 py-2">Why</th>
                <th className="px-3 py-2 text-right" title="The classifier's confidence, when it decided">
                  Conf.
                </th>
                <th className="px-3 py-2 text-right" title="The prompt's estimated tokens">
                  Prompt
                </th>
                <th className="px-4 py-2 text-right">Cost</th>
              </tr>
            </thead>
            <tbody>
              {recent.data.map((t) => (
                <tr
                  key={t.id}
                  data-turn-id={t.id}
                  className="border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800"
                >
                  <td
                    className="px-4 py-1.5 whitespace-nowrap tabular-nums"
                    title={new Date(t.startedAt).toISOString()}
                  >
                    {new Date(t.startedAt).toISOString().slice(5, 19).replace("T", " ")}
                  </td>
                  <td className="px-3 py-1.5">
                    <button
                      type="button"
                      onClick={() => onAgent(agentId === t.agentId ? null : t.agentId)}
                      title={agentId === t.agentId ? "Show every agent" : `Show only ${t.agentName}'s turns`}
                      className="text-left hover:underline"
                    >
                      {t.agentName}
                    </button>
                  </td>
                  <td className="px-3 py-1.5">{t.taskTypeName ?? <span className="text-zinc-400">none</span>}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap">
                    <div className="flex items-center gap-1">
                      <Badge tone={t.lane}>{LANE_LABEL[t.lane]}</Badge>
                      {t.contextForcedClaude ? (
                        <span
                          data-testid="context-forced"
                          title="Sent to Claude only because the prompt did not fit the local model's context"
                          className="rounded bg-amber-100 px-1.5 py-0.5 text-[11px] font-medium text-amber-800 dark:bg-amber-900/50 dark:text-amber-200"
                        >
                          context
                        </span>
                      ) : null}
                    </div>
                    <div className="mt-0.5 text-xs text-zinc-500">{t.servedModel}</div>
                  </td>
                  <td className="px-3 py-1.5">
                    <span
                      className={
                        t.status === "error"
                          ? "text-red-600 dark:text-red-400"
                          : t.status === "escalated"
                            ? "text-amber-600 dark:text-amber-400"
                            : ""
                      }
                    >
                      {t.status}
                    </span>
                  </td>
                  <WhyCell turn={t} onFingerprint={onFingerprint} />
                  <td className="px-3 py-1.5 text-right tabular-nums">
                    {t.confidence === null ? <span className="text-zinc-400">–</span> : t.confidence.toFixed(2)}
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">
                    {t.promptTokens === null ? <span className="text-zinc-400">–</span> : formatCount(t.promptTokens)}
                  </td>
                  <td className="px-4 py-1.5 text-right tabular-nums">{formatMicroUsd(t.costMicroUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
