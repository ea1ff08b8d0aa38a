// The request being served, for code far from its socket: the production listener
// (server/runtime/serve.ts) runs each request inside this scope with the client's address (the TCP
// peer: Offload trusts no X-Forwarded-For), so that the limit on failed sign-ins and admin-token
// attempts counts per address even where only headers, or nothing, are passed down.
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { isIPv6 } from "node:net";
import { processSlot } from "@/server/process/process-registry";

const scope = (): AsyncLocalStorage<{ address: string }> => processSlot("requestScope", () => new AsyncLocalStorage());

/** Runs `fn` as the handling of a request from `address`. */
export function runInRequestScope<T>(address: string | undefined, fn: () => T): T {
  return scope().run({ address: normaliseAddress(address) }, fn);
}

/** The client address of the request being served; "unknown" outside the production listener (next dev, tests). */
export function clientAddress(): string {
  return scope().getStore()?.address ?? "unknown";
}

/** IPv4 as is (also when a dual-stack listener shows it as ::ffff:1.2.3.4); IPv6 by its /64, which one client holds whole. */
export function normaliseAddress(address: string | undefined): string {
  if (!address) return "unknown";
  const a = address.toLowerCase();
  // IPv4 (no colon) as is, without the cost of an IPv6 check on every request.
  if (!a.includes(":")) return a;
  if (a.startsWith("::ffff:") && a.includes(".")) return a.slice(7);
  if (!isIPv6(a) || a === "::1") return a;
  const [head = "", tail = ""] = a.split("::");
  const left = head ? head.split(":") : [];
  const right = a.includes("::") && tail ? tail.split(":") : [];
  const groups = a.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
