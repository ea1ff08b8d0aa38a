"use client";
// Agent pins: an agent pinned to local or Claude ignores task-type lanes (Option A beats Option B).
// Changed with a select; optimistic, rolled back with a visible error when the server refuses.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card } from "@/components/ui";
import { PINS, type Pin } from "@/server/core/lanes";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import type { RouterOutputs } from "@/server/api/root";

type TierBoard = RouterOutputs["tiers"]["board"];
type BoardAgent = TierBoard["agents"][number];

const PIN_LABEL: Record<Pin, string> = {
  none: "per task (no pin)",
  local: "pinned to local",
  claude: "pinned to Claude",
};

export function AgentPins({ agents }: { agents: BoardAgent[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const boardKey = trpc.tiers.board.queryKey();
  const [error, setError] = useState<string | null>(null);
  const setPin = useMutation(
    trpc.tiers.setPin.mutationOptions({
      onMutate: async (input) => {
        setError(null);
        await queryClient.cancelQueries({ queryKey: boardKey });
        const previous = queryClient.getQueryData<TierBoard>(boardKey);
        if (previous)
          queryClient.setQueryData<TierBoard>(boardKey, {
            ...previous,
            agents: previous.agents.map((a) => (a.id === input.id ? { ...a, pin: input.pin } : a)),
          });
        return { previous };
      },
      onError: (err, input, context) => {
        if (context?.previous) queryClient.setQueryData(boardKey, context.previous);
        setError(`Could not pin ${input.id}: ${err.message}`);
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: boardKey });
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.fleet.overview.queryKey() });
      },
    }),
  );
  return (
    <Card>
      <h2 className="font-semibold">Agent pins</h2>
      <p className="mb-3 text-xs text-zinc-500">
        A pin sends all of an agent&apos;s turns to one side, whatever the task type&apos;s lane.
      </p>
      {error ? (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {agents.length === 0 ? (
        <p className="text-sm text-zinc-500">No agents yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {agents.map((a) => (
            <li key={a.id} className="flex items-center justify-between gap-3 py-2 text-sm">
              <div>
                <div className="font-medium">{a.name}</div>
                <div className="text-xs tabular-nums text-zinc-500">
                  {formatCount(Math.round(a.turnsPerDay))} turns/day · {formatMicroUsd(a.costPerDayMicroUsd)}/day
                </div>
              </div>
              <label className="text-xs">
                <span className="sr-only">Pin for {a.name}</span>
                <select
                  value={a.pin}
                  data-agent-pin={a.id}
                  onChange={(e) => setPin.mutate({ id: a.id, pin: e.target.value as Pin })}
                  className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
                >
                  {PINS.map((p) => (
                    <option key={p} value={p}>
                      {PIN_LABEL[p]}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
