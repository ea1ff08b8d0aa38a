// Who is calling the dashboard API. With OFFLOAD_ADMIN_TOKEN set, callers present it as a bearer
// token or as the dashboard's login cookie; the local CLI presents the credential the running
// server left in its data folder. Without OFFLOAD_ADMIN_TOKEN the dashboard is open (localhost use).
import "server-only";
import crypto from "node:crypto";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";

export const ADMIN_COOKIE = "offload_admin";

export type Actor = { kind: "operator" | "cli"; name: string };

const cliToken = processSlot("cliToken", () => ({ value: undefined }));

export function setCliToken(token: string): void {
  cliToken.value = token;
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function bearerToken(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return null;
}

function cookieValue(headers: Headers, name: string): string | null {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/** The admin actor behind a request, or null when it may not administer Offload. */
export function resolveAdminActor(headers: Headers): Actor | null {
  const adminToken = env().OFFLOAD_ADMIN_TOKEN;
  const bearer = bearerToken(headers);
  if (bearer && cliToken.value && sameSecret(bearer, cliToken.value)) {
    return { kind: "cli", name: "cli" };
  }
  if (!adminToken) return { kind: "operator", name: "operator" };
  if (bearer && sameSecret(bearer, adminToken)) return { kind: "operator", name: "admin-token" };
  const cookie = cookieValue(headers, ADMIN_COOKIE);
  if (cookie && sameSecret(cookie, adminToken)) return { kind: "operator", name: "operator" };
  return null;
}

/** The credential the running server left for the local CLI. */
export function isCliToken(candidate: string): boolean {
  return !!cliToken.value && sameSecret(candidate, cliToken.value);
}

export function isValidAdminToken(candidate: string): boolean {
  const adminToken = env().OFFLOAD_ADMIN_TOKEN;
  return !!adminToken && sameSecret(candidate, adminToken);
}
