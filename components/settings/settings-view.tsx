"use client";
// The Settings page: the local model, the Ollama hosts, routing, heartbeat patterns, model mappings, what local
// turns cost and how long raw turns are kept, each section saved on its own (one audited change, all of it or nothing), beside the
// recent changes with their undo.
import { Suspense } from "react";
import { useSuspenseQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { LoadingBlock } from "@/components/ui";
import { ModelMappings } from "@/components/tiers/model-mappings";
import { COST_FIELDS, LOCAL_MODEL_FIELDS, ROUTING_FIELDS } from "./setting-fields";
import { SettingsSection } from "./settings-section";
import { HeartbeatPatterns } from "./heartbeat-patterns";
import { OllamaHosts } from "./ollama-hosts";
import { SettingChanges } from "./setting-changes";
import { TurnRetention } from "./turn-retention";

function MappingsSection() {
  const trpc = useTRPC();
  const { data: agents } = useSuspenseQuery(trpc.agents.list.queryOptions());
  const { data: taskTypes } = useSuspenseQuery(trpc.taskTypes.list.queryOptions());
  return (
    <ModelMappings
      agents={agents.map((a) => ({ id: a.id, name: a.name }))}
      taskTypes={taskTypes.map((t) => ({ id: t.id, name: t.name }))}
    />
  );
}

/** What an hour of local generation costs at the watts and price in the form (as typed, when they parse). */
function hourlyCost(watts: string | boolean, usdPerKwh: string | boolean): string | null {
  const w = Number(String(watts).replace(/[,_\s]/g, ""));
  const price = Number(String(usdPerKwh).replace(/[,_\s]/g, ""));
  if (!Number.isFinite(w) || !Number.isFinite(price) || w <= 0 || price < 0) return null;
  // Display only: to a hundredth of a cent, as an hour's electricity is often a few cents.
  const micro = Math.round((w / 1000) * price * 1_000_000);
  return `$${(micro / 1_000_000).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

export function SettingsView() {
  return (
    <div className="grid items-start gap-6 lg:grid-cols-2">
      <div className="space-y-6">
        <SettingsSection
          title="Local model"
          description="What Offload asks of Ollama on every local turn."
          fields={LOCAL_MODEL_FIELDS}
        />
        <OllamaHosts />
        <SettingsSection
          title="Routing"
          description="When a turn stays local and what happens while Ollama is unwell."
          fields={ROUTING_FIELDS}
        />
        <SettingsSection
          title="Costs and hardware"
          description="The local host, for the cost of local turns and the savings against all-Claude."
          fields={COST_FIELDS}
          footer={(value) => {
            const hour = hourlyCost(value("gpuWatts"), value("electricityUsdPerKwh"));
            return hour ? (
              <p className="mt-4 text-sm" data-testid="hourly-cost">
                An hour of local generation costs <span className="font-medium tabular-nums">{hour}</span>.
              </p>
            ) : null;
          }}
        />
      </div>
      <div className="space-y-6">
        <HeartbeatPatterns />
        <Suspense fallback={<LoadingBlock label="the model mappings" />}>
          <MappingsSection />
        </Suspense>
        <TurnRetention />
        <SettingChanges />
      </div>
    </div>
  );
}
