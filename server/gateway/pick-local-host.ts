// Which Ollama hosts a local turn tries, in order: the pool as configured, as the last poll saw it
// (read with the gateway's state), with this process's requests in flight and recent failures.
import { rankHosts, type HostRanking } from "@/server/core/health/ollama-pool";
import { configuredOllamaHosts, hostFailedRecently } from "@/server/health/ollama-hosts";
import { localRequestsInFlight } from "@/server/providers/ollama-client";
import type { GatewayState } from "./gateway-state";

export function rankLocalHosts(state: Pick<GatewayState, "settings" | "health">, model: string): HostRanking {
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
