"use client";
// The OpenClaw panel's connect and disconnect, run by the server on a config file of its own machine:
// Preview shows the unified diff and which agents would be connected (and why others are skipped);
// Connect writes it (a backup first, each agent's key into the .env beside the config, 0600: the page
// sees only the variables' names), with Offload's address as this page reaches it. Disconnect puts
// back what connect replaced, with its own preview. Connect and Disconnect write what was previewed:
// changing a field asks for a new preview.
import { useId, useState, useSyncExternalStore } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { inputClass, primaryButtonClass } from "@/components/settings/settings-section";
import type { RouterInputs, RouterOutputs } from "@/server/api/root";
import { describeError, diffLineClass } from "./openclaw-format";
import { secondaryButtonClass } from "./openclaw-import";

type ConnectInput = RouterInputs["openclaw"]["connectFile"];
type ConnectResult = RouterOutputs["openclaw"]["connectFile"];
type DisconnectResult = RouterOutputs["openclaw"]["disconnectFile"];

type Outcome =
  | { kind: "connect-preview"; key: string; result: ConnectResult }
  | { kind: "connect"; result: ConnectResult }
  | { kind: "disconnect-preview"; key: string; result: DisconnectResult }
  | { kind: "disconnect"; result: DisconnectResult };

const FIELD_LABEL: Record<string, string> = {
  // OffloadError's field for the config file itself (missing, unreadable, not parsing).
  configPath: "Config path",
  config: "OpenClaw config",
  agents: "Agents",
  baseUrl: "Offload address",
  heartbeatDirect: "Heartbeats direct to Ollama",
};

const subscribeNever = () => () => {};

function Diff({ diff, label }: { diff: string; label: string }) {
  if (!diff.trim()) return <p className="text-sm text-zinc-500">No change to the config file.</p>;
  const lines = diff.replace(/\n$/, "").split("\n");
  return (
    <pre
      aria-label={label}
      className="max-h-96 overflow-auto rounded border border-zinc-200 bg-zinc-50 py-2 text-xs leading-5 dark:border-zinc-800 dark:bg-zinc-950"
    >
      <code>
        {lines.map((line, i) => (
          <span key={i} className={`block px-3 ${diffLineClass(line)}`}>
            {line || " "}
          </span>
        ))}
      </code>
    </pre>
  );
}

function List({ label, items, className = "" }: { label: string; items: string[]; className?: string }) {
  if (!items.length) return null;
  return (
    <div className="text-sm">
      <div className="font-medium">{label}</div>
      <ul aria-label={label} className={`list-disc pl-5 ${className}`}>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

function ConnectOutcome({ result, written }: { result: ConnectResult; written: boolean }) {
  const { plan } = result;
  return (
    <div className="space-y-3">
      <p role="status" className={`text-sm ${written ? "text-green-800 dark:text-green-300" : ""}`}>
        {written
          ? plan.connected.length === 0
            ? "No agent was connected: none of the selected agents uses a Claude model."
            : result.changed
              ? `Connected ${plan.connected.length} ${plan.connected.length === 1 ? "agent" : "agents"} in ${result.configPath}. Restart OpenClaw's gateway (or let it reload its config) to use Offload.`
              : `Already connected: ${result.configPath} did not change.`
          : result.changed
            ? `Preview of ${result.configPath}: ${plan.connected.length} ${plan.connected.length === 1 ? "agent" : "agents"} would be connected. Nothing was written.`
            : `Preview of ${result.configPath}: already connected, the config would not change. Nothing was written.`}
      </p>
      {plan.connected.length ? (
        <table className="text-sm">
          <caption className="sr-only">{written ? "Connected agents" : "Agents to connect"}</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-zinc-500">
            <tr>
              <th className="pr-4">OpenClaw agent</th>
              <th className="pr-4">Offload agent</th>
              <th>Model through Offload</th>
            </tr>
          </thead>
          <tbody>
            {plan.connected.map((c) => (
              <tr key={c.openclawId} data-connect-agent={c.openclawId}>
                <td className="pr-4">{c.openclawId}</td>
                <td className="pr-4">{c.offloadId}</td>
                <td className="font-mono text-xs">
                  {c.provider}/{c.model}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <List
        label="Skipped"
        items={plan.skipped.map((s) => `${s.openclawId}: ${s.reason}`)}
        className="text-zinc-600 dark:text-zinc-400"
      />
      <List label="Warnings" items={plan.warnings} className="text-amber-800 dark:text-amber-300" />
      {!result.keptLayout ? (
        <p className="text-sm text-amber-800 dark:text-amber-300">
          The config uses JSON5-only syntax: it {written ? "was" : "would be"} rewritten as plain JSON, without its
          comments (the backup keeps the original).
        </p>
      ) : null}
      {written ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-sm" data-testid="connect-written">
          <dt className="text-zinc-500">Backup</dt>
          <dd className="font-mono text-xs break-all" data-testid="connect-backup">
            {result.backupPath ?? "none (the config did not change)"}
          </dd>
          <dt className="text-zinc-500">Keys written</dt>
          <dd data-testid="connect-keys">
            {result.keysWritten.length ? (
              <>
                <span className="font-mono text-xs">{result.keysWritten.join(", ")}</span>
                <span className="text-xs text-zinc-500">
                  {" "}
                  in <span className="font-mono break-all">{result.envFile}</span> (0600; values not shown)
                </span>
              </>
            ) : (
              <span className="text-xs text-zinc-500">none</span>
            )}
          </dd>
          {result.keysKept.length ? (
            <>
              <dt className="text-zinc-500">Keys kept</dt>
              <dd className="font-mono text-xs">{result.keysKept.join(", ")}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <List
        label="Old keys replaced (they stop working)"
        items={result.keysReplaced}
        className="text-amber-800 dark:text-amber-300"
      />
      <List label="Suggestions" items={result.suggestions} />
      <Diff diff={result.diff} label={written ? "Changes written to the config" : "Changes to the config"} />
    </div>
  );
}

function DisconnectOutcome({ result, written }: { result: DisconnectResult; written: boolean }) {
  return (
    <div className="space-y-3">
      <p role="status" className={`text-sm ${written ? "text-green-800 dark:text-green-300" : ""}`}>
        {written
          ? `Disconnected ${result.configPath}: OpenClaw's agents use their previous models again. Their Offload agents and keys stay.`
          : `Preview of disconnecting ${result.configPath}${result.changed ? "" : ": the config would not change"}. Nothing was written.`}
      </p>
      <List
        label="Left as they are (changed since connect)"
        items={result.conflicts}
        className="text-amber-800 dark:text-amber-300"
      />
      {written ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-sm">
          <dt className="text-zinc-500">Backup</dt>
          <dd className="font-mono text-xs break-all">{result.backupPath ?? "none (the config did not change)"}</dd>
          <dt className="text-zinc-500">Keys removed</dt>
          <dd className="font-mono text-xs">{result.keysRemoved.join(", ") || "none"}</dd>
        </dl>
      ) : null}
      <Diff diff={result.diff} label={written ? "Changes written to the config" : "Changes to the config"} />
    </div>
  );
}

export function OpenClawConnect() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  // Offload's address as this page reaches it ("" while rendered on the server, so hydration matches).
  const origin = useSyncExternalStore(
    subscribeNever,
    () => window.location.origin,
    () => "",
  );
  const [configPath, setConfigPath] = useState("");
  const [heartbeatDirect, setHeartbeatDirect] = useState(false);
  // The config's agents as the last preview found them (connectable or not), and the chosen ones (null: all).
  const [found, setFound] = useState<{ id: string; skipped: string | null }[]>([]);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<{ field: string | null; text: string } | null>(null);

  const path = configPath.trim();
  const input = (): ConnectInput => ({
    ...(path ? { configPath: path } : {}),
    baseUrl: origin || window.location.origin,
    ...(chosen ? { agents: chosen } : {}),
    ...(heartbeatDirect ? { heartbeatDirect: true } : {}),
  });
  const connectKey = () => JSON.stringify({ path, chosen, heartbeatDirect, origin });
  const disconnectKey = () => path;

  const onError = (what: string) => (e: { message: string; data?: unknown }) => {
    const field = (e.data as { field?: string | null } | undefined)?.field ?? null;
    setError({ field, text: `${what}: ${describeError(e, FIELD_LABEL, "config")}. Nothing was written.` });
  };
  const refreshFleet = () => {
    for (const key of [trpc.fleet.pathKey(), trpc.agents.pathKey(), trpc.tiers.pathKey(), trpc.models.pathKey()])
      void queryClient.invalidateQueries({ queryKey: key });
  };

  const connect = useMutation(
    trpc.openclaw.connectFile.mutationOptions({
      onError: onError("Not connected"),
      onSettled: (_data, _error, variables) => {
        if (!variables.dryRun) refreshFleet();
      },
    }),
  );
  const previewConnect = () => {
    setOutcome(null);
    const key = connectKey();
    const variables = input();
    connect.mutate(
      { ...variables, dryRun: true },
      {
        onSuccess: (result) => {
          setOutcome({ kind: "connect-preview", key, result });
          // The config's agents, merged: narrowing the selection keeps the others offered.
          setFound((before) => {
            const next = new Map(before.map((a) => [a.id, a.skipped]));
            for (const c of result.plan.connected) next.set(c.openclawId, null);
            for (const s of result.plan.skipped)
              if (!variables.agents || !next.has(s.openclawId)) next.set(s.openclawId, s.reason);
            return [...next].map(([agent, skipped]) => ({ id: agent, skipped }));
          });
        },
      },
    );
  };
  const runConnect = () => connect.mutate(input(), { onSuccess: (result) => setOutcome({ kind: "connect", result }) });
  const disconnect = useMutation(
    trpc.openclaw.disconnectFile.mutationOptions({ onError: onError("Not disconnected") }),
  );
  const previewDisconnect = () => {
    setOutcome(null);
    const key = disconnectKey();
    disconnect.mutate(
      { ...(path ? { configPath: path } : {}), dryRun: true },
      { onSuccess: (result) => setOutcome({ kind: "disconnect-preview", key, result }) },
    );
  };
  const runDisconnect = () =>
    disconnect.mutate(path ? { configPath: path } : {}, {
      onSuccess: (result) => setOutcome({ kind: "disconnect", result }),
    });
  const busy = connect.isPending || disconnect.isPending;

  /** The checks the server would make, worded for the field. */
  const check = (): boolean => {
    setError(null);
    if (path && !path.startsWith("/") && !path.startsWith("~/")) {
      setError({
        field: "configPath",
        text: `Config path: an absolute path on the server's machine, such as /home/you/.openclaw/openclaw.json or ~/.openclaw/openclaw.json (the server's home); leave it empty for OpenClaw's default.`,
      });
      return false;
    }
    if (chosen && chosen.length === 0) {
      setError({ field: "agents", text: "Agents: choose at least one agent to connect." });
      return false;
    }
    return true;
  };

  const edited = () => {
    setOutcome(null);
    setError(null);
  };
  const connectable = found.filter((a) => a.skipped === null);
  const toggle = (agent: string, on: boolean) => {
    const current = chosen ?? connectable.map((a) => a.id);
    const next = on ? [...new Set([...current, agent])] : current.filter((a) => a !== agent);
    setChosen(connectable.every((a) => next.includes(a.id)) ? null : next);
    edited();
  };

  const previewed = outcome?.kind === "connect-preview" && outcome.key === connectKey();
  const canConnect = previewed && outcome.result.plan.connected.length > 0;
  const disconnectPreviewed = outcome?.kind === "disconnect-preview" && outcome.key === disconnectKey();
  const pathError = error && (error.field === "configPath" || error.field === "config" || error.field === null);
  const agentsError = error?.field === "agents";

  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      <div>
        <h3 id={`${id}-title`} className="text-sm font-semibold">
          Connect OpenClaw to Offload
        </h3>
        <p className="text-xs text-zinc-500">
          Points each OpenClaw agent on a Claude model at Offload through its own provider, on the server&rsquo;s
          machine: a backup of the config first, each agent&rsquo;s key in the <code>.env</code> beside it (0600), the
          config naming only the variable. Offload&rsquo;s address as OpenClaw will reach it: this page&rsquo;s,{" "}
          <span className="font-mono">{origin}</span>.
        </p>
      </div>
      <form
        noValidate
        aria-label="Connect OpenClaw"
        onSubmit={(e) => {
          e.preventDefault();
          if (check()) previewConnect();
        }}
        className="space-y-3"
      >
        <div>
          <label htmlFor={`${id}-path`} className="block text-sm font-medium">
            Config path
          </label>
          <input
            id={`${id}-path`}
            name="configPath"
            value={configPath}
            onChange={(e) => {
              setConfigPath(e.target.value);
              setFound([]);
              setChosen(null);
              edited();
            }}
            placeholder="~/.openclaw/openclaw.json"
            spellCheck={false}
            autoComplete="off"
            aria-describedby={`${id}-path-help${pathError ? ` ${id}-error` : ""}`}
            aria-invalid={pathError && error.field !== null ? true : undefined}
            className={`${inputClass} mt-1 block w-full max-w-xl font-mono ${pathError && error.field !== null ? "border-red-500 dark:border-red-500" : ""}`}
          />
          <p id={`${id}-path-help`} className="mt-1 text-xs text-zinc-500">
            An absolute path on the server&rsquo;s machine (~/ is its home); empty: OpenClaw&rsquo;s own config there
            (OPENCLAW_CONFIG_PATH, else ~/.openclaw/openclaw.json).
          </p>
        </div>
        <fieldset aria-describedby={agentsError ? `${id}-error` : undefined}>
          <legend className="text-sm font-medium">Agents</legend>
          {found.length === 0 ? (
            <p className="text-xs text-zinc-500">All agents on a Claude model. Preview to choose among them.</p>
          ) : (
            <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
              {found.map((a) => (
                <label
                  key={a.id}
                  className={`flex items-center gap-1 ${a.skipped ? "text-zinc-400" : ""}`}
                  title={a.skipped ?? undefined}
                >
                  <input
                    type="checkbox"
                    checked={a.skipped === null && (chosen === null || chosen.includes(a.id))}
                    disabled={a.skipped !== null}
                    onChange={(e) => toggle(a.id, e.target.checked)}
                  />
                  {a.id}
                  {a.skipped ? <span className="text-xs"> (skipped)</span> : null}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            checked={heartbeatDirect}
            onChange={(e) => {
              setHeartbeatDirect(e.target.checked);
              edited();
            }}
            className="mt-0.5"
            aria-describedby={`${id}-hb-help`}
          />
          <span>
            Heartbeats direct to Ollama
            <span id={`${id}-hb-help`} className="block text-xs text-zinc-500">
              Sets each connected agent&rsquo;s heartbeat model to Offload&rsquo;s default local model on Ollama, so
              heartbeats skip Offload (and its metering) altogether.
            </span>
          </span>
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <button type="submit" disabled={busy} className={secondaryButtonClass}>
            {connect.isPending && connect.variables?.dryRun ? "Previewing…" : "Preview"}
          </button>
          <button
            type="button"
            disabled={busy || !canConnect}
            title={canConnect ? undefined : "Preview first: Connect writes what the preview shows"}
            onClick={() => {
              if (check()) runConnect();
            }}
            className={primaryButtonClass}
          >
            {connect.isPending && !connect.variables?.dryRun ? "Connecting…" : "Connect"}
          </button>
          <span className="mx-1 h-5 border-l border-zinc-200 dark:border-zinc-700" aria-hidden />
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              if (check()) previewDisconnect();
            }}
            className={secondaryButtonClass}
          >
            Preview disconnect
          </button>
          <button
            type="button"
            disabled={busy || !disconnectPreviewed || !outcome.result.changed}
            title={disconnectPreviewed ? undefined : "Preview the disconnect first"}
            onClick={() => {
              if (check()) runDisconnect();
            }}
            className={secondaryButtonClass}
          >
            Disconnect
          </button>
        </div>
      </form>

      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error.text}
        </p>
      ) : null}

      {outcome ? (
        <div className="rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="connect-outcome">
          {outcome.kind === "connect-preview" || outcome.kind === "connect" ? (
            <ConnectOutcome result={outcome.result} written={outcome.kind === "connect"} />
          ) : (
            <DisconnectOutcome result={outcome.result} written={outcome.kind === "disconnect"} />
          )}
        </div>
      ) : null}
    </section>
  );
}
