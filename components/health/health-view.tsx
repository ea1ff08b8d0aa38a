"use client";
// The Health page: the verdict and why, Ollama's version and models (VRAM bars: GPU vs CPU
// share), generation speed and latency over time, requests in flight, recent local errors, and
// the GPU's own figures when nvidia-smi is available on this host; what the local context costs in
// GPU memory, and what a larger one would keep off Claude.
import { Suspense } from "react";
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/trpc/react";
import { Ago, Card, LoadingBlock, Stat } from "@/components/ui";
import { LocalContextPanel } from "./local-context-panel";
import { ContextPlanner } from "./context-planner";
import { MeteringPanel } from "./metering-panel";
import { STATUS_CLASS } from "./status-pill";
import { GB, VramBar } from "./vram-bar";
import { OllamaHostsPanel, PoolInstalledModels, configuredHostViews } from "./ollama-hosts-panel";

export function HealthView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { data: h } = useSuspenseQuery({ ...trpc.health.status.queryOptions(), refetchInterval: 15_000 });
  const { data: settings } = useSuspenseQuery(trpc.system.settings.queryOptions());
  const history = useQuery({ ...trpc.health.history.queryOptions({ hours: 6 }), refetchInterval: 30_000 });
  const errors = useQuery({ ...trpc.health.recentErrors.queryOptions(), refetchInterval: 30_000 });
  const poll = useMutation(
    trpc.health.pollNow.mutationOptions({
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.health.status.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.health.history.queryKey() });
      },
    }),
  );
  const now = new Date();
  const chart = (history.data ?? []).map((p) => ({
    time: new Date(p.takenAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
    tps: p.tokensPerSecond,
    p95: p.localP95Ms === null ? null : p.localP95Ms / 1000,
  }));
  const hasSeries = chart.some((p) => p.tps !== null || p.p95 !== null);
  // A pool of several Ollama hosts: the figures below are the fleet's, each host's are in its entry.
  const pool = h.ollamaHosts.length > 1;
  const answering = configuredHostViews(h).filter((e) => e.view && e.view.status !== "down").length;

  return (
    <div className="space-y-6">
      <section data-health-status={h.status} className={`rounded-lg border p-4 ${STATUS_CLASS[h.status]}`}>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-lg font-semibold">
            {pool ? "The Ollama pool is" : "Ollama is"} <span data-testid="health-status">{h.status}</span>
          </p>
          <button
            type="button"
            onClick={() => poll.mutate()}
            disabled={poll.isPending}
            className="rounded border border-current px-3 py-1 text-sm disabled:opacity-50"
          >
            {poll.isPending ? "Checking…" : "Check now"}
          </button>
        </div>
        <p className="text-sm opacity-80" data-testid="health-summary">
          {pool ? (
            `${h.ollamaHosts.length} Ollama hosts, ${answering} answering`
          ) : (
            <>
              {h.ollamaHosts[0]}
              {h.ollamaVersion ? ` · version ${h.ollamaVersion}` : ""}
            </>
          )}{" "}
          · checked <Ago at={new Date(h.takenAt)} now={now} />
          {!pool && h.responseMs !== null ? ` in ${h.responseMs} ms` : ""} · last answered{" "}
          <Ago at={h.lastAnsweredAt ? new Date(h.lastAnsweredAt) : null} now={now} />
          {h.stale ? " · the monitor has not polled recently" : ""}
        </p>
        {h.reasons.length ? (
          <ul className="mt-2 list-disc pl-5 text-sm" data-testid="health-reasons">
            {h.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm">
            {pool
              ? "Every host answers; the local models are installed, on the GPU, and keeping up."
              : "The local model is installed, on the GPU, and keeping up."}
          </p>
        )}
        {h.status === "down" ? (
          <p className="mt-2 text-sm">
            While Ollama is down, local work{" "}
            {settings.escalateWhenLocalDown ? "goes to Claude" : "fails with a clear error (escalation is turned off)"}.
          </p>
        ) : null}
        {h.status === "degraded" ? (
          <p className="mt-2 text-sm">
            While degraded, Local-with-care work{" "}
            {settings.carefulToClaudeWhenDegraded ? "goes to Claude" : "stays local"}; Local work stays local.
          </p>
        ) : null}
      </section>

      <OllamaHostsPanel health={h} vramGb={settings.gpuVramGb} />

      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label="Generation speed"
          value={h.tokensPerSecond === null ? "–" : `${h.tokensPerSecond.toFixed(1)} tok/s`}
          hint={
            h.speedSource === "probe"
              ? "from the probe chat"
              : h.speedSource === "turns"
                ? `p50 of local turns${pool ? " on all hosts" : ""}, 15 min`
                : "no local turns in 15 min"
          }
        />
        <Stat
          label="Local p95 latency"
          value={h.localP95Ms === null ? "–" : `${(h.localP95Ms / 1000).toFixed(1)} s`}
          hint={`${h.localTurns} local turns in 15 min${pool ? ", all hosts" : ""}`}
        />
        <Stat
          label="Local error rate"
          value={h.localErrorRate === null ? "–" : `${Math.round(h.localErrorRate * 100)}%`}
          hint={`cold loads in the last hour: ${h.coldLoads}`}
        />
        <Stat
          label="In flight"
          value={String(h.inFlight)}
          hint={pool ? "local requests to all hosts when last checked" : "local requests when last checked"}
        />
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        {pool ? (
          <Card>
            <PoolInstalledModels health={h} />
          </Card>
        ) : (
          <Card>
            <h2 className="font-semibold">Loaded models</h2>
            {h.loadedModels.length === 0 ? (
              <p className="mt-2 text-sm text-zinc-500">
                {h.ollamaVersion
                  ? "No model is loaded right now: the next local turn pays a load."
                  : "Unknown while Ollama does not answer."}
              </p>
            ) : (
              <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {h.loadedModels.map((m) => (
                  <VramBar key={m.name} model={m} vramGb={settings.gpuVramGb} />
                ))}
              </ul>
            )}
            <h2 className="mt-4 font-semibold">Installed models</h2>
            {h.installedModels.length === 0 ? (
              <p className="mt-2 text-sm text-zinc-500">
                {h.ollamaVersion ? "None." : "Unknown while Ollama does not answer."}
              </p>
            ) : (
              <ul className="mt-2 text-sm">
                {h.installedModels.map((m) => (
                  <li key={m.name} className="flex justify-between">
                    <span>{m.name}</span>
                    <span className="tabular-nums text-zinc-500">{(m.size / GB).toFixed(1)} GB</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        )}
        <Card>
          <h2 className="font-semibold">GPU</h2>
          {h.gpu && h.gpu.length ? (
            <ul className="mt-2 space-y-1 text-sm">
              {h.gpu.map((g, i) => (
                <li key={i}>
                  <span className="font-medium">{g.name}</span>: {g.memoryUsedMb.toLocaleString("en-US")} of{" "}
                  {g.memoryTotalMb.toLocaleString("en-US")} MB · {g.utilizationPercent}% busy · {g.temperatureC} °C
                  {g.powerW !== null ? ` · ${g.powerW} W` : ""}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-2 text-sm text-zinc-500">
              GPU memory, utilisation, temperature and power are not available: Ollama&apos;s API does not report them,
              and <code>nvidia-smi</code> is not on this host. Run Offload on the GPU host to see them.
            </p>
          )}
        </Card>
      </div>

      <Suspense fallback={<LoadingBlock label="the local context" />}>
        <LocalContextPanel />
      </Suspense>
      <Suspense fallback={<LoadingBlock label="the context planner" />}>
        <ContextPlanner />
      </Suspense>
      <Suspense fallback={<LoadingBlock label="metering" />}>
        <MeteringPanel />
      </Suspense>

      <Card>
        <h2 className="font-semibold">Speed and latency, last 6 hours</h2>
        <div data-chart="health" className="mt-3 h-56 text-xs text-zinc-500">
          {history.isPending ? (
            <p role="status">Loading the history…</p>
          ) : !hasSeries ? (
            <p className="pt-16 text-center text-sm">No local turns measured in the last 6 hours.</p>
          ) : (
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={chart}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#a1a1aa55" />
                <XAxis dataKey="time" stroke="currentColor" minTickGap={24} />
                <YAxis yAxisId="tps" stroke="currentColor" />
                <YAxis yAxisId="p95" orientation="right" stroke="currentColor" />
                <Tooltip />
                <Legend />
                <Line
                  yAxisId="tps"
                  dataKey="tps"
                  name="tokens/s (p50)"
                  stroke="#16a34a"
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="p95"
                  dataKey="p95"
                  name="p95 latency (s)"
                  stroke="#c2410c"
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          )}
        </div>
      </Card>

      <Card>
        <h2 className="font-semibold">Recent local errors and escalations, 24 hours</h2>
        {errors.isPending ? (
          <p role="status" className="text-sm text-zinc-500">
            Loading…
          </p>
        ) : !errors.data || errors.data.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-500">None.</p>
        ) : (
          <ul className="mt-2 divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {errors.data.map((e) => (
              <li key={e.id} className="py-1.5">
                <span className="tabular-nums text-zinc-500">
                  <Ago at={new Date(e.startedAt)} now={now} />
                </span>{" "}
                · {e.agentId} · {e.status}: {e.errorMessage ?? "no message"}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
