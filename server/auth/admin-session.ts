// Dashboard sessions: made at sign-in (an AdminSession row and its signed cookie), checked on every
// admin request (signature, expiry, and the row: not revoked, not expired), revoked at sign-out.
import "server-only";
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import { newSessionId, sessionKey, signSessionCookie, verifySessionCookie, type SessionClaim } from "./session-cookie";

/** Expired sessions are deleted this long after their expiry (at the next sign-in). */
const KEEP_EXPIRED_MS = 7 * 24 * 3_600_000;

export type NewSession = { cookie: string; expiresAt: Date };

function keyOrNull(): Buffer | null {
  const { OFFLOAD_ADMIN_TOKEN, OFFLOAD_DATA_DIR } = env();
  return OFFLOAD_ADMIN_TOKEN ? sessionKey(OFFLOAD_ADMIN_TOKEN, OFFLOAD_DATA_DIR) : null;
}

/** Starts a session (OFFLOAD_SESSION_HOURS long) and returns its cookie value. */
export async function createAdminSession(
  db: Db,
  who: { address?: string; userAgent?: string | null },
  now = new Date(),
): Promise<NewSession> {
  const key = keyOrNull();
  if (!key) throw new Error("no admin token is set: there is nothing to sign in to");
  const id = newSessionId();
  const expiresAt = new Date(now.getTime() + env().OFFLOAD_SESSION_HOURS * 3_600_000);
  await db.prisma.adminSession.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - KEEP_EXPIRED_MS) } } });
  await db.prisma.adminSession.create({
    data: {
      id,
      createdAt: now,
      expiresAt,
      address: who.address?.slice(0, 100) ?? null,
      userAgent: who.userAgent?.slice(0, 300) ?? null,
    },
  });
  return { cookie: signSessionCookie(key, id, expiresAt), expiresAt };
}

/** Signature and expiry only, no database: what the proxy checks before a page renders. */
export function verifyAdminSessionCookie(value: string | undefined | null, now = new Date()): SessionClaim | null {
  const key = keyOrNull();
  return key ? verifySessionCookie(key, value, now) : null;
}

/** The live session a cookie names: signed by us, not expired, its row present and not revoked. */
export async function readAdminSession(
  db: Db,
  value: string | undefined | null,
  now = new Date(),
): Promise<SessionClaim | null> {
  const claim = verifyAdminSessionCookie(value, now);
  if (!claim) return null;
  const row = await db.prisma.adminSession.findUnique({
    where: { id: claim.id },
    select: { expiresAt: true, revokedAt: true },
  });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  return claim;
}

/** Ends the session a cookie names (when it is ours); later requests with it are refused. */
export async function revokeAdminSession(db: Db, value: string | undefined | null, now = new Date()): Promise<boolean> {
  const claim = verifyAdminSessionCookie(value, now);
  if (!claim) return false;
  const { count } = await db.prisma.adminSession.updateMany({
    where: { id: claim.id, revokedAt: null },
    data: { revokedAt: now },
  });
  return count > 0;
}

/** The cookie's attributes: HttpOnly, SameSite=Strict, Secure over https, the whole site, until the session ends. */
export function sessionCookieOptions(expiresAt: Date, secure: boolean) {
  return { httpOnly: true, sameSite: "strict" as const, secure, path: "/", expires: expiresAt };
}

/** Whether the request reached Offload over https (directly or through a proxy that says so). */
export function isHttpsRequest(headers: Headers, url?: string): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return !!url && url.startsWith("https:");
}
