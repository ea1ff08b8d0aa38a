// The Health page's Ollama hosts: where the pool's list comes from (the ollamaHosts setting,
// OLLAMA_HOSTS or OLLAMA_HOST), and each host as the newest poll saw it: its verdict and why, its
// version and response time, its loaded models and the GPU memory they take, its speed, its own
// local turns over 15 minutes and its requests in flight. A host added since the last poll is
// "not polled yet". One host (the common case) is a compact card: the rest of the page is about it.
import type { ReactNode } from "react";
import Link from "next/link";
import type { RouterOutputs } from "@/server/api/root";
import { Card } from "@/components/ui";
import { StatusPill } from "./status-pill";
import { GB } from "./vram-bar";

type HealthData = RouterOutputs["health"]["status"];
type HostView = HealthData["hosts"][number];

/** Where the list of hosts comes from, for people. */
export function describeHostsSource(source: HealthData["ollamaHostsSource"]): string {
  switch (source) {
    case "setting":
      return "From the Ollama hosts setting (Settings); with it empty, the server's OLLAMA_HOSTS or OLLAMA_HOST is used.";
    case "OLLAMA_HOSTS":
      return "From OLLAMA_HOSTS in the server's environment (the Ollama hosts setting, when set, replaces it).";
    default:
      return "From OLLAMA_HOST in the server's environment (http://127.0.0.1:11434 when unset).";
  }
}

/** The configured hosts, in order, each with what the newest sample saw of it (null: not polled yet). */
export function configuredHostViews(h: HealthData): { host: string; view: HostView | null }[] {
  const seen = new Map(h.hosts.map((v) => [v.host, v]));
  return h.ollamaHosts.map((host) => ({ host, view: seen.get(host) ?? null }));
}

const gb = (bytes: number) => (bytes / GB).toFixed(1);
const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);
const seconds = (ms: number | null) => (ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`);

function speedHint(source: HostView["speedSource"]): string {
  if (source === "turns") return "p50 of its local turns, 15 min";
  if (source === "probe") return "from the probe chat";
  return "no local turns in 15 min";
}

function GpuMemory({ usedBytes, vramGb, label }: { usedBytes: number; vramGb: number; label: string }) {
  const share = vramGb > 0 ? Math.min(1, usedBytes / (vramGb * GB)) : 0;
  return (
    <div>
      <span className="tabular-nums">
        {gb(usedBytes)} of {vramGb} GB
      </span>
      <div
        className="mt-1 h-2 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
        role="img"
        aria-label={`${label}: ${Math.round(share * 100)}% of the GPU memory in use`}
      >
        <div
          className={share > 0.9 ? "h-full bg-amber-500" : "h-full bg-green-600"}
          style={{ width: `${share * 100}%` }}
        />
      </div>
    </div>
  );
}

function Fact({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="tabular-nums">{children}</dd>
      {hint ? <dd className="text-xs text-zinc-500">{hint}</dd> : null}
    </div>
  );
}

const REASON_CLASS = {
  up: "text-zinc-700 dark:text-zinc-300",
  degraded: "text-amber-800 dark:text-amber-300",
  down: "text-red-700 dark:text-red-300",
} as const;

function HostEntry({ host, view, vramGb }: { host: string; view: HostView | null; vramGb: number }) {
  const answered = view !== null && view.version !== null;
  return (
    <li
      data-ollama-host={host}
      data-host-status={view?.status ?? "not-polled"}
      className="min-w-0 rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
    >
      <div className="flex items-start justify-between gap-2">
        <code className="min-w-0 break-all text-sm font-medium">{host}</code>
        <StatusPill status={view?.status ?? null} />
      </div>
      {!view ? (
        <p className="mt-1 text-sm text-zinc-500">
          Added since the last poll: the next health poll, or Check now, sees it. Local turns may try it before then.
        </p>
      ) : (
        <>
          <p className="mt-1 text-xs text-zinc-500" data-testid="host-checked">
            {answered ? `Ollama ${view.version} · answered in ${view.responseMs ?? "–"} ms` : "did not answer"}
            {!answered && view.responseMs !== null ? ` · checked in ${view.responseMs} ms` : ""}
          </p>
          {view.reasons.length ? (
            <ul
              className={`mt-2 list-disc space-y-0.5 pl-5 text-sm ${REASON_CLASS[view.status]}`}
              data-testid="host-reasons"
            >
              {view.reasons.map((r) => (
                <li key={r} className="break-words">
                  {r}
                </li>
              ))}
            </ul>
          ) : null}
          {view.notes.length ? (
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs text-zinc-500" data-testid="host-notes">
              {view.notes.map((n) => (
                <li key={n} className="break-words">
                  {n}
                </li>
              ))}
            </ul>
          ) : null}
          <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
            <Fact label="Speed" hint={speedHint(view.speedSource)}>
              {view.tokensPerSecond === null ? "–" : `${view.tokensPerSecond.toFixed(1)} tok/s`}
            </Fact>
            <Fact
              label="Local turns, 15 min"
              hint={`error rate ${percent(view.errorRate)} · p95 ${seconds(view.p95Ms)}`}
            >
              {view.localTurns}
            </Fact>
            <Fact label="In flight" hint="local requests when polled">
              {view.inFlight}
            </Fact>
            <Fact label="GPU memory used">
              {answered ? <GpuMemory usedBytes={view.vramUsedBytes} vramGb={vramGb} label={host} /> : "–"}
            </Fact>
          </dl>
          <h3 className="mt-3 text-xs font-medium uppercase tracking-wide text-zinc-500">Loaded models</h3>
          {!answered ? (
            <p className="text-sm text-zinc-500">Unknown while it does not answer.</p>
          ) : view.loaded.length === 0 ? (
            <p className="text-sm text-zinc-500">None: its next local turn pays a load.</p>
          ) : (
            <ul className="text-sm">
              {view.loaded.map((m) => (
                <li key={m.name} data-loaded-model={m.name} className="flex flex-wrap justify-between gap-x-2">
                  <span className="font-medium">{m.name}</span>
                  <span className="tabular-nums text-zinc-500">
                    {gb(m.sizeVram)} GB on the GPU
                    {m.size > m.sizeVram ? ` (${gb(m.size - m.sizeVram)} GB on the CPU)` : ""}
                    {m.contextLength ? ` · context ${m.contextLength.toLocaleString("en-US")}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {answered ? (
            <p className="mt-1 text-xs text-zinc-500" data-testid="host-installed">
              Installed: {view.installed.length ? view.installed.map((m) => m.name).join(", ") : "none"}
            </p>
          ) : null}
        </>
      )}
    </li>
  );
}

/** The Ollama hosts section: compact for one host, one entry per host for a pool. */
export function OllamaHostsPanel({ health, vramGb }: { health: HealthData; vramGb: number }) {
  const entries = configuredHostViews(health);
  const source = describeHostsSource(health.ollamaHostsSource);

  if (entries.length === 1) {
    const { host, view } = entries[0]!;
    return (
      <Card>
        <div data-testid="ollama-hosts" data-ollama-host={host} data-host-status={view?.status ?? "not-polled"}>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <h2 className="font-semibold">Ollama host</h2>
            <code className="break-all text-sm">{host}</code>
            {view === null ? <StatusPill status={null} /> : null}
            {view && view.version !== null ? (
              <span className="text-sm text-zinc-500 sm:ml-auto" data-testid="host-gpu-memory">
                GPU memory in use: <span className="tabular-nums">{gb(view.vramUsedBytes)}</span> of {vramGb} GB
              </span>
            ) : null}
          </div>
          <p className="mt-1 text-xs text-zinc-500">
            {source} To spread local turns over several Ollama servers, list them in{" "}
            <Link href="/settings" className="underline">
              Settings
            </Link>
            {health.ollamaHostsSource === "setting" ? "" : " or in OLLAMA_HOSTS"}.
          </p>
          {view === null ? (
            <p className="mt-2 text-sm">
              Not polled yet: the verdict above is from the hosts before the last change; the next poll, or Check now,
              judges this one.
            </p>
          ) : null}
        </div>
      </Card>
    );
  }

  const polled = entries.filter((e) => e.view !== null);
  const count = (status: string) => polled.filter((e) => e.view!.status === status).length;
  const summary = [
    `${count("up")} up`,
    count("degraded") ? `${count("degraded")} degraded` : null,
    `${count("down")} down`,
    entries.length > polled.length ? `${entries.length - polled.length} not polled yet` : null,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <Card>
      <div data-testid="ollama-hosts">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3">
          <h2 id="ollama-hosts-heading" className="font-semibold">
            Ollama hosts
          </h2>
          <p className="text-sm text-zinc-500" data-testid="ollama-hosts-summary">
            {entries.length} hosts: {summary}
          </p>
        </div>
        <p className="mt-1 text-xs text-zinc-500" data-testid="ollama-hosts-source">
          {source} A local turn tries the hosts with its model loaded first, then those with it installed, the least
          busy first.
        </p>
        <ul aria-labelledby="ollama-hosts-heading" className="mt-3 grid gap-3 lg:grid-cols-2">
          {entries.map((e) => (
            <HostEntry key={e.host} host={e.host} view={e.view} vramGb={vramGb} />
          ))}
        </ul>
      </div>
    </Card>
  );
}

/** For a pool: the models installed on any host, with the hosts that have each. */
export function PoolInstalledModels({ health }: { health: HealthData }) {
  const entries = configuredHostViews(health);
  const names = [...new Set(entries.flatMap((e) => (e.view ? e.view.installed.map((m) => m.name) : [])))].sort();
  const hostsWith = (name: string) =>
    entries.filter((e) => e.view?.installed.some((m) => m.name === name)).map((e) => e.host);
  const sizeOf = (name: string) =>
    entries.flatMap((e) => e.view?.installed ?? []).find((m) => m.name === name)?.size ?? 0;
  return (
    <>
      <h2 className="font-semibold">Installed models</h2>
      <p className="text-xs text-zinc-500">
        On the hosts that answer; what each host has loaded is under its entry above.
      </p>
      {names.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-500">
          {entries.some((e) => e.view?.version) ? "None." : "Unknown while no host answers."}
        </p>
      ) : (
        <ul className="mt-2 space-y-1 text-sm">
          {names.map((name) => (
            <li key={name} data-installed-model={name}>
              <div className="flex justify-between gap-2">
                <span>{name}</span>
                <span className="tabular-nums text-zinc-500">{gb(sizeOf(name))} GB</span>
              </div>
              <div className="break-all text-xs text-zinc-500">on {hostsWith(name).join(", ")}</div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
