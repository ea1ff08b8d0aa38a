"use client";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/trpc-provider";
import { Card, EmptyState } from "@/components/ui";

export function HealthSummary() {
  const trpc = useTRPC();
  const { data: sample } = useSuspenseQuery(trpc.observations.latestHealth.queryOptions());
  const { data: info } = useSuspenseQuery(trpc.system.info.queryOptions());
  if (!sample) {
    return (
      <EmptyState title="No health samples yet">
        Offload has not polled the local model server yet. Configured Ollama: <code>{info.ollamaHost}</code>.
      </EmptyState>
    );
  }
  return (
    <Card>
      <p className="text-lg font-semibold">Ollama is {sample.status}</p>
      <p className="text-sm text-zinc-500">
        Last polled {new Date(sample.takenAt).toLocaleString()} · {info.ollamaHost}
        {sample.ollamaVersion ? ` · version ${sample.ollamaVersion}` : ""}
      </p>
    </Card>
  );
}
