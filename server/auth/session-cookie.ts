// The dashboard's session cookie: a session id (an AdminSession row), its expiry and an HMAC of both,
// `<id>.<expires, unix seconds>.<signature>`; never the admin token. The signing key is derived from a
// random secret kept in the data folder (`<OFFLOAD_DATA_DIR>/session-secret`, owner-only, made on
// first use) and the admin token: a cookie cannot be forged without the file, the token cannot be
// guessed offline from a cookie, and changing the token or deleting the file ends every session.
// Pure enough for the proxy (proxy.ts), which checks signature and expiry before a page renders; the
// row (revoked or not) is checked in admin-session.ts.
import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const SESSION_COOKIE = "offload_session";
/** The cookie of earlier versions, which held the raw admin token: deleted wherever it is seen. */
export const LEGACY_ADMIN_COOKIE = "offload_admin";

const SECRET_FILE = "session-secret";

let cachedKey: { for: string; key: Buffer } | undefined;

/** The secret in the data folder, made (32 random bytes, mode 0600, folder 0700) when missing. */
function readOrMakeSecret(dataDir: string): Buffer {
  const root = path.resolve(dataDir);
  const file = path.join(root, SECRET_FILE);
  try {
    const existing = fs.readFileSync(file);
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  // Written aside and linked into place: another copy of this module racing us finds a whole file.
  const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}`;
  fs.writeFileSync(temp, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return fs.readFileSync(file);
}

/** The HMAC key for session cookies under this admin token and data folder. */
export function sessionKey(adminToken: string, dataDir: string): Buffer {
  const id = `${path.resolve(dataDir)}\0${adminToken}`;
  if (cachedKey?.for !== id) {
    const secret = readOrMakeSecret(dataDir);
    const key = crypto.createHmac("sha256", secret).update(`offload admin session v1\0${adminToken}`).digest();
    cachedKey = { for: id, key };
  }
  return cachedKey.key;
}

function sign(key: Buffer, id: string, expiresS: number): string {
  return crypto.createHmac("sha256", key).update(`v1.${id}.${expiresS}`).digest("base64url");
}

/** The cookie value for session `id` expiring at `expiresAt`. */
export function signSessionCookie(key: Buffer, id: string, expiresAt: Date): string {
  const expiresS = Math.floor(expiresAt.getTime() / 1000);
  return `${id}.${expiresS}.${sign(key, id, expiresS)}`;
}

export type SessionClaim = { id: string; expiresAt: Date };

/** The session a cookie names, if its signature is ours and it has not expired; null otherwise. */
export function verifySessionCookie(
  key: Buffer,
  value: string | undefined | null,
  now = new Date(),
): SessionClaim | null {
  if (!value || value.length > 200) return null;
  const parts = value.split(".");
  if (parts.length !== 3) return null;
  const [id, expires, signature] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(id) || !/^\d{1,12}$/.test(expires)) return null;
  const expected = Buffer.from(sign(key, id, Number(expires)));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const expiresAt = new Date(Number(expires) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return null;
  return { id, expiresAt };
}

/** A new session id: 32 random bytes, base64url. */
export function newSessionId(): string {
  return crypto.randomBytes(32).toString("base64url");
}
