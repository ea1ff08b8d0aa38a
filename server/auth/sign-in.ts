// Signing in to the dashboard with the admin token (the login page's form): refused while the
// client's address is locked out for wrong tries, counted when wrong, a new session when right.
import "server-only";
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import { createAdminSession, type NewSession } from "./admin-session";
import { safeNextPath, sameSecret } from "./admin-auth";
import { lockedOutFor, recordFailure } from "./failed-attempts";
import { clientAddress } from "./request-scope";

export type SignInResult =
  | { kind: "signed-in"; session: NewSession; next: string }
  | { kind: "wrong-token"; message: string }
  | { kind: "locked-out"; retryAfterS: number; message: string }
  | { kind: "no-token"; next: string };

const lockedMessage = (s: number) =>
  `Too many wrong tokens from this address: try again in ${s} s (at most 10 tries a minute).`;

/** Where to go after signing in: a path on this site, never the login page itself. */
export function afterSignIn(next: unknown): string {
  const path = safeNextPath(next);
  return path === "/login" || path.startsWith("/login?") || path.startsWith("/login/") ? "/" : path;
}

export async function signInWithToken(
  db: Db,
  input: { token: string; next: unknown; userAgent?: string | null },
): Promise<SignInResult> {
  const adminToken = env().OFFLOAD_ADMIN_TOKEN;
  const next = afterSignIn(input.next);
  if (!adminToken) return { kind: "no-token", next };
  const address = clientAddress();
  const locked = lockedOutFor(address);
  if (locked) return { kind: "locked-out", retryAfterS: locked, message: lockedMessage(locked) };
  if (!input.token || !sameSecret(input.token, adminToken)) {
    const nowLocked = recordFailure(address);
    if (nowLocked) return { kind: "locked-out", retryAfterS: nowLocked, message: lockedMessage(nowLocked) };
    return { kind: "wrong-token", message: "That is not the admin token (OFFLOAD_ADMIN_TOKEN)." };
  }
  const session = await createAdminSession(db, { address, userAgent: input.userAgent });
  return { kind: "signed-in", session, next };
}
