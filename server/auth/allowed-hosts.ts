// Which Host headers the server answers (against DNS rebinding: a page on another site whose name
// an attacker points at 127.0.0.1 reaches a loopback-only server, but says its own name as Host).
// Always: localhost (and *.localhost), 127.0.0.1, [::1], the address the server is bound to, and the
// names in OFFLOAD_ALLOWED_HOSTS. With OFFLOAD_ADMIN_TOKEN set and no OFFLOAD_ALLOWED_HOSTS, any
// Host: the token protects the dashboard and admin API, agents' keys the gateway, and operators reach
// a shared server by whatever name or address their network gives it.
import "server-only";
import net from "node:net";
import type { Env } from "@/server/process/env";

/** null: any Host is accepted. */
export type HostPolicy = ReadonlySet<string> | null;

const ALWAYS = ["localhost", "127.0.0.1", "::1"];
const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

export function hostPolicy(
  env: Pick<Env, "OFFLOAD_ADMIN_TOKEN" | "OFFLOAD_HOST" | "OFFLOAD_ALLOWED_HOSTS">,
): HostPolicy {
  if (env.OFFLOAD_ADMIN_TOKEN && env.OFFLOAD_ALLOWED_HOSTS.length === 0) return null;
  const hosts = new Set([...ALWAYS, ...env.OFFLOAD_ALLOWED_HOSTS]);
  if (env.OFFLOAD_HOST && !WILDCARDS.has(env.OFFLOAD_HOST)) hosts.add(env.OFFLOAD_HOST.toLowerCase());
  return hosts;
}

/** The name or address of a Host header, without port or brackets, lower case; null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  let h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return null;
    h = h.slice(1, end);
    return net.isIPv6(h) ? h : null;
  }
  const colon = h.lastIndexOf(":");
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return null;
    h = h.slice(0, colon);
  }
  h = h.replace(/\.$/, "");
  return /^[a-z0-9.-]+$/.test(h) ? h : null;
}

/** Whether a request with this Host header is one for this server. */
export function isServedHost(policy: HostPolicy, header: string | undefined): boolean {
  if (policy === null) return true;
  if (header === undefined) return false;
  // Every request asks; its clients send a handful of Host values: remembered (a few, not whatever a
  // client makes up), so that the answer costs one lookup.
  let known = verdicts.get(policy);
  if (!known) verdicts.set(policy, (known = new Map()));
  const remembered = known.get(header);
  if (remembered !== undefined) return remembered;
  const name = hostName(header);
  const served = name !== null && (policy.has(name) || name.endsWith(".localhost"));
  if (known.size < REMEMBERED_HOSTS) known.set(header, served);
  return served;
}

/** Host headers and their verdicts, per policy. */
const verdicts = new WeakMap<ReadonlySet<string>, Map<string, boolean>>();
const REMEMBERED_HOSTS = 64;
