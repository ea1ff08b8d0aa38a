"use client";
// The context planner on the Health page: the last 7 days' local-lane turns that went to Claude
// only because they did not fit the local context, by task type, and for larger contexts how many of
// them would have fit, the Claude cost a day they would move, and whether model + cache fit the GPU.
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import type { RouterOutputs } from "@/server/api/root";
import { formatGb } from "./local-context-panel";

type Plan = RouterOutputs["health"]["contextPlan"];
type Candidate = Plan["candidates"][number];

/** Turns a day: one decimal below 10, whole above. */
function formatRate(n: number): string {
  if (n === 0) return "0";
  return n < 10 ? n.toFixed(1) : formatCount(Math.round(n));
}

function windowLabel(plan: Plan): string {
  if (plan.days >= 6.95) return "the last 7 days";
  const days = plan.days < 1.05 ? "day" : `${plan.days.toFixed(1)} days`;
  return `the last ${days} (since the gateway began recording prompt sizes)`;
}

const TH = "px-2 py-1.5 font-medium";
const TD = "px-2 py-1.5 align-top tabular-nums";

function GpuVerdict({ c }: { c: Candidate }) {
  const v = c.vram;
  if (!v || v.verdict === "unknown") return <span className="text-zinc-500">unknown</span>;
  return v.verdict === "fits" ? (
    <span className="rounded bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800 dark:bg-green-900/50 dark:text-green-200">
      fits
    </span>
  ) : (
    <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-900/50 dark:text-red-200">
      does not fit
    </span>
  );
}

export function ContextPlanner() {
  const trpc = useTRPC();
  const { data: plan } = useSuspenseQuery({ ...trpc.health.contextPlan.queryOptions(), refetchInterval: 60_000 });
  const budget = plan.candidates[0]?.vram;
  const larger = plan.candidates.filter((c) => !c.current);
  // No recorded turns and no architecture: a table of zeros and unknowns would say nothing.
  const nothingKnown = plan.firstRecordedAt === null && plan.vramProblem !== null;

  return (
    <Card>
      <div data-testid="context-plan">
        <h2 className="font-semibold">Context planner</h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="context-plan-summary">
          {plan.firstRecordedAt === null
            ? "No gateway turn with a recorded prompt size in the last 7 days: nothing to plan from yet."
            : plan.forced.length === 0
              ? `Over ${windowLabel(plan)}, no local turn went to Claude for its size: the ${formatCount(plan.currentContext)}-token context holds them all.`
              : `Over ${windowLabel(plan)}, ${formatRate(plan.forcedTurnsPerDay)} turns a day of local task types went to Claude only because their prompt and the ${formatCount(plan.answerReserveTokens)}-token answer reserve exceeded the ${formatCount(plan.currentContext)}-token context, costing ${formatMicroUsd(plan.forcedCostMicroUsdPerDay)} a day.`}
        </p>

        {plan.forced.length ? (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full min-w-[520px] text-sm" aria-label="Turns sent to Claude for their size">
              <thead className="text-left text-xs uppercase tracking-wide text-zinc-500">
                <tr>
                  <th className={TH}>Task type</th>
                  <th className={`${TH} text-right`}>Turns/day</th>
                  <th className={`${TH} text-right`}>Claude cost/day</th>
                  <th className={`${TH} text-right`}>Largest need</th>
                </tr>
              </thead>
              <tbody>
                {plan.forced.map((f) => (
                  <tr
                    key={f.taskTypeId}
                    data-forced-task-type={f.taskTypeId || "none"}
                    className="border-t border-zinc-100 dark:border-zinc-800"
                  >
                    <td className="px-2 py-1.5">{f.name}</td>
                    <td className={`${TD} text-right`}>{formatRate(f.turnsPerDay)}</td>
                    <td className={`${TD} text-right`}>{formatMicroUsd(f.costMicroUsdPerDay)}</td>
                    <td className={`${TD} text-right`}>{formatCount(f.largestNeedTokens)} tokens</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}

        {nothingKnown ? null : (
          <div className="mt-4 overflow-x-auto">
            <table className="w-full min-w-[640px] text-sm" aria-label="Candidate contexts">
              <thead className="text-left text-xs uppercase tracking-wide text-zinc-500">
                <tr>
                  <th className={TH}>Context</th>
                  <th className={`${TH} text-right`}>Would fit, turns/day</th>
                  <th className={`${TH} text-right`}>Claude cost/day moved</th>
                  <th className={`${TH} text-right`}>
                    Model + cache <span className="normal-case">({plan.kvCacheType})</span>
                  </th>
                  <th className={`${TH} text-right`}>GPU</th>
                </tr>
              </thead>
              <tbody>
                {plan.candidates.map((c) => (
                  <tr
                    key={c.contextTokens}
                    data-context={c.contextTokens}
                    data-gpu={c.vram?.verdict ?? "unknown"}
                    className={`border-t border-zinc-100 dark:border-zinc-800 ${c.current ? "bg-zinc-50 dark:bg-zinc-800/40" : ""}`}
                  >
                    <td className={TD}>
                      <span className="font-medium">{formatCount(c.contextTokens)}</span>
                      {c.current ? <span className="text-zinc-500"> (current)</span> : null}
                      {c.byTaskType.length ? (
                        <div className="text-xs text-zinc-500">
                          {c.byTaskType.map((t) => `${t.name} ${formatRate(t.turnsPerDay)}`).join(" · ")}
                        </div>
                      ) : null}
                    </td>
                    <td className={`${TD} text-right`}>{formatRate(c.turnsPerDay)}</td>
                    <td className={`${TD} text-right`}>{formatMicroUsd(c.costMicroUsdPerDay)}</td>
                    <td className={`${TD} text-right`}>
                      {c.vram?.totalBytes != null
                        ? formatGb(c.vram.totalBytes)
                        : c.vram
                          ? `cache ${formatGb(c.vram.kvCacheBytes)}`
                          : "unknown"}
                    </td>
                    <td className={`${TD} text-right`}>
                      <GpuVerdict c={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="mt-2 text-xs text-zinc-500">
          A turn would fit when its prompt plus the answer reserve ({formatCount(plan.answerReserveTokens)} tokens) is
          within the context.{" "}
          {plan.vramProblem
            ? `Model + cache for ${plan.model} are unknown: ${plan.vramProblem}.`
            : budget
              ? `Model + cache for ${plan.model} are compared with ${formatGb(budget.availableBytes)} of GPU memory${budget.basis === "free" ? " free for it" : ""}.`
              : null}
          {plan.nativeContext && larger.length < 5
            ? ` ${plan.model} was trained for ${formatCount(plan.nativeContext)} tokens: larger contexts are not offered.`
            : null}
        </p>
      </div>
    </Card>
  );
}
