// Who is calling the dashboard API. With OFFLOAD_ADMIN_TOKEN set, callers present the token as a
// bearer token or a dashboard session (the signed session cookie of admin-session.ts, never the
// token itself); the local CLI presents the credential the running server left in its data folder.
// Wrong tokens count against the caller's address (failed-attempts.ts). Without OFFLOAD_ADMIN_TOKEN
// the dashboard is open: the server then listens on loopback only (server/process/env.ts).
import "server-only";
import crypto from "node:crypto";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";
import { readAdminSession } from "./admin-session";
import { lockedOutFor, recordFailure } from "./failed-attempts";
import { clientAddress } from "./request-scope";
import { SESSION_COOKIE } from "./session-cookie";

export { SESSION_COOKIE } from "./session-cookie";

export type Actor = { kind: "operator" | "cli"; name: string };

/** Who the request is, or null; `retryAfterS` when its address is locked out for wrong tokens. */
export type AdminRequest = { actor: Actor | null; retryAfterS?: number };

const cliToken = processSlot("cliToken", () => ({ value: undefined }));

export function setCliToken(token: string): void {
  cliToken.value = token;
}

/** Compares two secrets in constant time (of their hashes). */
export function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function bearerToken(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return null;
}

export function cookieValue(headers: Headers, name: string): string | null {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) {
      try {
        return decodeURIComponent(v.join("="));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The admin behind a request and, when its address made too many wrong attempts, how long it must wait. */
export async function resolveAdminRequest(headers: Headers, db?: Db): Promise<AdminRequest> {
  const adminToken = env().OFFLOAD_ADMIN_TOKEN;
  const bearer = bearerToken(headers);
  if (bearer && isCliToken(bearer)) return { actor: { kind: "cli", name: "cli" } };
  if (!adminToken) return { actor: { kind: "operator", name: "operator" } };
  if (bearer) {
    const address = clientAddress();
    const locked = lockedOutFor(address);
    if (locked) return { actor: null, retryAfterS: locked };
    if (sameSecret(bearer, adminToken)) return { actor: { kind: "operator", name: "admin-token" } };
    // An agent's key sent here is a mistake, not a guess at the admin token.
    if (AGENT_KEY_SHAPE.test(bearer) && !AGENT_KEY_SHAPE.test(adminToken)) return { actor: null };
    const nowLocked = recordFailure(address);
    return nowLocked ? { actor: null, retryAfterS: nowLocked } : { actor: null };
  }
  const session = cookieValue(headers, SESSION_COOKIE);
  if (session && (await readAdminSession(db ?? (await getDb()), session)))
    return { actor: { kind: "operator", name: "operator" } };
  return { actor: null };
}

/** The admin actor behind a request, or null when it may not administer Offload. */
export async function resolveAdminActor(headers: Headers, db?: Db): Promise<Actor | null> {
  return (await resolveAdminRequest(headers, db)).actor;
}

/** The credential the running server left for the local CLI. */
export function isCliToken(candidate: string): boolean {
  return !!cliToken.value && sameSecret(candidate, cliToken.value);
}

/** Agent keys (server/agents/agent-key.ts): `ofk_` and 32 base64url characters. */
const AGENT_KEY_SHAPE = /^ofk_[A-Za-z0-9_-]{32}$/;

/**
 * Whether `candidate` is the admin token, for the agent endpoints that also take it. A wrong one
 * counts against the request's address, unless it is shaped like an agent key (those endpoints try
 * it as one next: agents are not the admin token's guessers). While the address is locked out even
 * the right token is refused; agent keys from that address keep working.
 */
export function isValidAdminToken(candidate: string): boolean {
  const adminToken = env().OFFLOAD_ADMIN_TOKEN;
  if (!adminToken) return false;
  const address = clientAddress();
  if (lockedOutFor(address)) return false;
  if (sameSecret(candidate, adminToken)) return true;
  if (!AGENT_KEY_SHAPE.test(candidate) || AGENT_KEY_SHAPE.test(adminToken)) recordFailure(address);
  return false;
}

/**
 * Where to go after signing in: a path on this site, or "/". Refuses anything a browser could read
 * as another site: "//host", "/\host", schemes, control characters (browsers drop tabs and newlines
 * from URLs, so "/\t/host" is "//host"), and anything that resolves off this origin.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return "/";
  if (!next.startsWith("/") || next.startsWith("//")) return "/";
  for (const ch of next) {
    const code = ch.charCodeAt(0);
    if (ch === "\\" || code < 0x20 || code === 0x7f) return "/";
  }
  try {
    const base = "http://offload.invalid";
    const url = new URL(next, base);
    if (url.origin !== base) return "/";
    if (url.pathname.startsWith("//")) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
