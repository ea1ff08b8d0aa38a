// Admin authentication without a server: the signed session cookie (signature, expiry, revocation,
// never the token), the limit on wrong tokens per address, and where a sign-in may send the browser.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { resetEnv } from "@/server/process/env";
import { testDatabases } from "@/server/testing/test-databases";
import { isValidAdminToken, resolveAdminRequest, safeNextPath, SESSION_COOKIE } from "./admin-auth";
import { createAdminSession, readAdminSession, revokeAdminSession } from "./admin-session";
import { FAILURE_WINDOW_MS, lockedOutFor, MAX_FAILURES, recordFailure, resetFailedAttempts } from "./failed-attempts";
import { normaliseAddress, runInRequestScope } from "./request-scope";
import { sessionKey, signSessionCookie, verifySessionCookie } from "./session-cookie";
import { afterSignIn, signInWithToken } from "./sign-in";

const TOKEN = "admin-token-for-auth-tests";
const saved = { ...process.env };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-auth-"));

function useToken(token: string | undefined, extra: Record<string, string> = {}) {
  if (token) process.env.OFFLOAD_ADMIN_TOKEN = token;
  else delete process.env.OFFLOAD_ADMIN_TOKEN;
  process.env.OFFLOAD_DATA_DIR = dataDir;
  Object.assign(process.env, extra);
  resetEnv();
}

afterEach(() => {
  for (const key of ["OFFLOAD_ADMIN_TOKEN", "OFFLOAD_DATA_DIR", "OFFLOAD_SESSION_HOURS"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  resetEnv();
  resetFailedAttempts();
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const withCookie = (value: string) => new Headers({ cookie: `other=1; ${SESSION_COOKIE}=${value}` });
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("the login redirect", () => {
  it.each([
    ["/", "/"],
    ["/tiers", "/tiers"],
    ["/agents/worker-1?tab=keys#key", "/agents/worker-1?tab=keys#key"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["/\\/evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["evil.example", "/"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"], // a path on this site, not another host
    ["", "/"],
    [undefined, "/"],
    [["/a", "/b"], "/"],
  ])("sends %j to %j", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it("never goes back to the login page after signing in", () => {
    expect(afterSignIn("/login?next=/tiers")).toBe("/");
    expect(afterSignIn("/costs")).toBe("/costs");
  });
});

describe("the session cookie", () => {
  it("is a signed id and expiry, refused when altered, expired or signed for another token", () => {
    useToken(TOKEN);
    const key = sessionKey(TOKEN, dataDir);
    const expires = new Date(Date.now() + 3_600_000);
    const value = signSessionCookie(key, "a".repeat(43), expires);
    expect(value).not.toContain(TOKEN);
    expect(verifySessionCookie(key, value)).toEqual({
      id: "a".repeat(43),
      expiresAt: new Date(Math.floor(expires.getTime() / 1000) * 1000),
    });
    const [id, exp, sig] = value.split(".") as [string, string, string];
    expect(verifySessionCookie(key, `${id}.${Number(exp) + 3600}.${sig}`)).toBeNull(); // a longer life
    expect(verifySessionCookie(key, `${"b".repeat(43)}.${exp}.${sig}`)).toBeNull(); // another id
    expect(verifySessionCookie(key, `${id}.${exp}.${sig.slice(0, -1)}A`)).toBeNull();
    expect(verifySessionCookie(key, value, new Date(expires.getTime() + 1000))).toBeNull(); // expired
    expect(verifySessionCookie(sessionKey("another-admin-token", dataDir), value)).toBeNull();
    expect(verifySessionCookie(key, TOKEN)).toBeNull();
  });

  it("keeps its signing secret in the data folder, readable by its owner only", () => {
    sessionKey(TOKEN, dataDir);
    const stat = fs.statSync(path.join(dataDir, "session-secret"));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dataDir, "session-secret"), "utf8")).not.toContain(TOKEN);
  });
});

describe("the limit on wrong tokens", () => {
  it("locks an address out after ten failures in a minute, and lets it try again after", () => {
    const now = 1_000_000;
    for (let i = 1; i < MAX_FAILURES; i++) expect(recordFailure("10.0.0.1", now)).toBeNull();
    expect(recordFailure("10.0.0.1", now)).toBe(60);
    expect(lockedOutFor("10.0.0.1", now + 30_000)).toBe(30);
    expect(lockedOutFor("10.0.0.2", now)).toBeNull(); // per address
    expect(lockedOutFor("10.0.0.1", now + FAILURE_WINDOW_MS)).toBeNull();
  });

  it("counts IPv6 clients by their /64 and IPv4-mapped ones as IPv4", () => {
    expect(normaliseAddress("::ffff:192.168.1.9")).toBe("192.168.1.9");
    expect(normaliseAddress("2001:db8:0:1::17")).toBe("2001:db8:0:1::/64");
    expect(normaliseAddress("2001:db8:0:1:aaaa::2")).toBe("2001:db8:0:1::/64");
    expect(normaliseAddress("::1")).toBe("::1");
    expect(normaliseAddress(undefined)).toBe("unknown");
  });

  it("refuses the admin token as a bearer with 429 once the address guessed wrong ten times", async () => {
    useToken(TOKEN);
    await runInRequestScope("10.1.1.1", async () => {
      for (let i = 1; i < MAX_FAILURES; i++)
        expect(await resolveAdminRequest(bearer(`wrong-guess-${i}`))).toEqual({ actor: null });
      expect((await resolveAdminRequest(bearer("wrong-guess-10"))).retryAfterS).toBe(60);
      // Locked: even the right token is refused, with how long to wait.
      const locked = await resolveAdminRequest(bearer(TOKEN));
      expect(locked.actor).toBeNull();
      expect(locked.retryAfterS).toBeGreaterThan(0);
      expect(isValidAdminToken(TOKEN)).toBe(false);
    });
    // Another address is not affected.
    await runInRequestScope("10.1.1.2", async () => {
      expect((await resolveAdminRequest(bearer(TOKEN))).actor).toEqual({ kind: "operator", name: "admin-token" });
      expect(isValidAdminToken(TOKEN)).toBe(true);
    });
  });

  it("does not count agents' keys as guesses at the admin token", async () => {
    useToken(TOKEN);
    await runInRequestScope("10.1.1.3", async () => {
      for (let i = 0; i < 3 * MAX_FAILURES; i++) {
        expect(isValidAdminToken(`ofk_${"x".repeat(31)}${i % 10}`)).toBe(false);
        expect((await resolveAdminRequest(bearer(`ofk_${"y".repeat(32)}`))).actor).toBeNull();
      }
      expect(lockedOutFor("10.1.1.3")).toBeNull();
      expect(isValidAdminToken(TOKEN)).toBe(true);
    });
  });
});

for (const target of testDatabases()) {
  describe(`dashboard sessions on ${target.kind}`, () => {
    let db: Db;
    beforeEach(async () => {
      db = await target.create();
    });
    afterAll(() => target.cleanup());

    it("signs in with the token to a session of OFFLOAD_SESSION_HOURS, which sign-out revokes", async () => {
      useToken(TOKEN, { OFFLOAD_SESSION_HOURS: "2" });
      const before = Date.now();
      const result = await runInRequestScope("10.2.0.1", () =>
        signInWithToken(db, { token: TOKEN, next: "/tiers", userAgent: "test" }),
      );
      if (result.kind !== "signed-in") throw new Error(`not signed in: ${JSON.stringify(result)}`);
      expect(result.next).toBe("/tiers");
      expect(result.session.cookie).not.toContain(TOKEN);
      expect(result.session.expiresAt.getTime() - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
      expect(result.session.expiresAt.getTime() - before).toBeLessThanOrEqual(2 * 3_600_000 + 1000);
      const row = await db.prisma.adminSession.findFirstOrThrow();
      expect(row).toMatchObject({ address: "10.2.0.1", userAgent: "test", revokedAt: null });

      expect((await resolveAdminRequest(withCookie(result.session.cookie), db)).actor).toEqual({
        kind: "operator",
        name: "operator",
      });
      expect(
        await readAdminSession(db, result.session.cookie, new Date(result.session.expiresAt.getTime() + 1)),
      ).toBeNull();

      expect(await revokeAdminSession(db, result.session.cookie)).toBe(true);
      expect(await readAdminSession(db, result.session.cookie)).toBeNull();
      expect((await resolveAdminRequest(withCookie(result.session.cookie), db)).actor).toBeNull();
    });

    it("refuses a signed cookie whose row is gone or expired, a bogus cookie, and the raw token as a cookie", async () => {
      useToken(TOKEN);
      const { cookie } = await createAdminSession(db, { address: "10.2.0.2" });
      await db.prisma.adminSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
      expect(await readAdminSession(db, cookie)).toBeNull();
      await db.prisma.adminSession.deleteMany();
      expect(await readAdminSession(db, cookie)).toBeNull();
      for (const value of ["bogus", TOKEN, `${"a".repeat(43)}.9999999999.${"A".repeat(43)}`]) {
        expect((await resolveAdminRequest(withCookie(value), db)).actor).toBeNull();
        expect((await resolveAdminRequest(new Headers({ cookie: `offload_admin=${value}` }), db)).actor).toBeNull();
      }
    });

    it("counts wrong sign-ins per address and refuses the eleventh try within the minute", async () => {
      useToken(TOKEN);
      await runInRequestScope("10.2.0.3", async () => {
        for (let i = 1; i < MAX_FAILURES; i++)
          expect((await signInWithToken(db, { token: `nope-${i}`, next: "/" })).kind).toBe("wrong-token");
        const tenth = await signInWithToken(db, { token: "nope-10", next: "/" });
        expect(tenth).toMatchObject({ kind: "locked-out", retryAfterS: 60 });
        const right = await signInWithToken(db, { token: TOKEN, next: "/" });
        expect(right).toMatchObject({ kind: "locked-out" });
        expect(right.kind === "locked-out" && right.message).toMatch(/try again in \d+ s/);
      });
      expect(await db.prisma.adminSession.count()).toBe(0);
    });

    it("has nothing to sign in to without an admin token", async () => {
      useToken(undefined);
      expect(await signInWithToken(db, { token: "anything", next: "//evil.example" })).toEqual({
        kind: "no-token",
        next: "/",
      });
      expect((await resolveAdminRequest(new Headers(), db)).actor).toEqual({ kind: "operator", name: "operator" });
    });
  });
}
