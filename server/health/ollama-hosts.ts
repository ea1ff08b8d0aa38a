// Which Ollama servers make the pool, the order a local turn tries them in, and what this process
// saw of them between polls. The pool is
// the ollamaHosts setting when the operator set one, else OLLAMA_HOSTS, else OLLAMA_HOST. A request
// that fails on a host (refused, reset, a server error) marks it for FAILED_FOR_MS, so that the
// next turns try the other hosts first until a poll or a success says it is back.
import type { Settings } from "@/server/core/settings-defaults";
import type { OllamaHealth } from "@/server/core/routing/decide-route";
import { rankHosts, type HostRanking } from "@/server/core/health/ollama-pool";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { localRequestsInFlight } from "@/server/providers/ollama-client";

const FAILED_FOR_MS = 15_000;

export type OllamaHostsSource = "setting" | "OLLAMA_HOSTS" | "OLLAMA_HOST";

export function ollamaHostsSource(settings: Pick<Settings, "ollamaHosts">): OllamaHostsSource {
  if (settings.ollamaHosts.length) return "setting";
  return env().OLLAMA_HOSTS.length ? "OLLAMA_HOSTS" : "OLLAMA_HOST";
}

/** The pool's hosts, in the configured order (never empty). */
export function configuredOllamaHosts(settings: Pick<Settings, "ollamaHosts">): string[] {
  if (settings.ollamaHosts.length) return settings.ollamaHosts;
  const { OLLAMA_HOSTS, OLLAMA_HOST } = env();
  return OLLAMA_HOSTS.length ? OLLAMA_HOSTS : [OLLAMA_HOST.replace(/\/+$/, "")];
}

const marks = processSlot("ollamaHostFailures", () => new Map<string, number>());

/** A request to `host` failed in a way that says the host, not the request, is the trouble. */
export function noteHostFailure(host: string, now = Date.now()): void {
  marks.set(host, now);
}

/** A request to `host` succeeded, or a poll found it answering: it is tried in its turn again. */
export function clearHostFailure(host: string): void {
  marks.delete(host);
}

export function hostFailedRecently(host: string, now = Date.now()): boolean {
  const at = marks.get(host);
  if (at === undefined) return false;
  if (now - at < FAILED_FOR_MS) return true;
  marks.delete(host);
  return false;
}

/**
 * The hosts a local request for `model` tries, in order: the pool as configured, as the last poll
 * saw it (the gateway reads it with its state), with this process's requests in flight and recent
 * failures.
 */
export function rankLocalHosts(
  state: { settings: Pick<Settings, "ollamaHosts">; health: OllamaHealth },
  model: string,
): HostRanking {
  const polled = new Map((state.health.hosts ?? []).map((h) => [h.host, h]));
  return rankHosts(
    configuredOllamaHosts(state.settings).map((host) => {
      const seen = polled.get(host);
      return {
        host,
        status: seen?.status ?? "unknown",
        loaded: seen?.loaded ?? null,
        installed: seen?.installed ?? null,
        inFlight: localRequestsInFlight(host),
        failedRecently: hostFailedRecently(host),
      };
    }),
    model,
  );
}
