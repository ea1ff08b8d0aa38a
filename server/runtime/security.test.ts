// Closed by default, as `npm start` runs it: without an admin token the server listens on loopback
// only and answers only its own names (DNS rebinding); the admin API takes JSON from its own pages
// only; every answer carries the security headers; the data folder is its owner's only. With a
// token: any Host, a bearer-guessing limit, and dashboard sessions (signed cookie, sign-out revokes).
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { cliToken } from "@/server/testing/browser";
import { runCli } from "@/server/testing/run-node";

type RawAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request with exactly these headers (fetch may not set Host). */
function raw(
  server: StartedServer,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        // Another loopback address as the client's: a separate address for the limits on wrong tokens.
        ...(options.from ? { localAddress: options.from } : {}),
        port: server.port,
        path: pathname,
        method: options.method ?? "GET",
        headers: { host: `127.0.0.1:${server.port}`, ...options.headers },
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function expectSecurityHeaders(answer: RawAnswer, what: string): void {
  expect(answer.headers["x-content-type-options"], what).toBe("nosniff");
  expect(answer.headers["x-frame-options"], what).toBe("DENY");
  expect(answer.headers["referrer-policy"], what).toBe("same-origin");
  expect(answer.headers["content-security-policy"], what).toMatch(/frame-ancestors 'none'/);
}

const multipart = (fields: Record<string, string>) => {
  const boundary = "----offloadtest";
  const body =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join("") + `--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
};

describe("without an admin token", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({ env: { OFFLOAD_DEMO: "off", OLLAMA_HOST: "http://127.0.0.1:9" } });
  });
  afterAll(() => server?.stop());

  it("listens on 127.0.0.1 only and says so", async () => {
    expect(server.logs()).toMatch(
      new RegExp(
        `listening on 127\\.0\\.0\\.1:${server.port} only .*open without a sign-in because OFFLOAD_ADMIN_TOKEN is not set`,
      ),
    );
    expect(server.logs()).toContain(`ready on http://127.0.0.1:${server.port} (loopback only`);
    expect(await connects("127.0.0.1", server.port)).toBe(true);
    const external = externalAddress();
    if (external) expect(await connects(external, server.port), `port ${server.port} on ${external}`).toBe(false);
  });

  it("answers only its own names: another Host gets 421 with a JSON error, on every kind of route", async () => {
    for (const pathname of ["/", "/api/health", "/api/trpc/agents.list", "/v1/messages", "/_next/static/x.js"]) {
      const refused = await raw(server, pathname, { headers: { host: `rebind.evil.example:${server.port}` } });
      expect(refused.status, pathname).toBe(421);
      expect(refused.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(refused.body)).toMatchObject({
        type: "error",
        error: { type: "permission_error", message: expect.stringContaining("rebind.evil.example") },
      });
      expect(refused.headers["x-content-type-options"]).toBe("nosniff");
    }
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) {
      expect((await raw(server, "/api/health", { headers: { host } })).status, host).toBe(200);
    }
  });

  it("puts the security headers on pages (a nonce'd CSP), the APIs and the agent endpoints", async () => {
    const page = await raw(server, "/tiers");
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, "page");
    const csp = page.headers["content-security-policy"] as string;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // Next's scripts carry the nonce; no script goes without it.
    const scripts = page.body.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per request.
    expect((await raw(server, "/tiers")).headers["content-security-policy"]).not.toBe(csp);
    // Also on a path that is no page (Next would otherwise serve a prerendered page without the nonce).
    const missing = await raw(server, "/no-such-page");
    expect(missing.status).toBe(404);
    const missingNonce = /'nonce-([^']+)'/.exec(missing.headers["content-security-policy"] as string)?.[1];
    for (const tag of missing.body.match(/<script\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${missingNonce}"`);

    expectSecurityHeaders(await raw(server, "/api/health"), "/api/health");
    expectSecurityHeaders(await raw(server, "/api/trpc/health.status"), "tRPC");
    const agent = await raw(server, "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(agent.status).toBe(401);
    expectSecurityHeaders(agent, "/v1/messages");
    expect(agent.headers["x-offload-lane"]).toBe("none");
  });

  it("refuses tRPC mutations that are not JSON (415) and requests from other sites (403)", async () => {
    const form = multipart({ x: "1" });
    for (const procedure of ["system.migrate", "health.pollNow"]) {
      const asForm = await raw(server, `/api/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": form.type, origin: `http://127.0.0.1:${server.port}` },
        body: form.body,
      });
      expect(asForm.status, `${procedure} as multipart/form-data`).toBe(415);
      expect(JSON.parse(asForm.body)).toMatchObject({ error: { json: { data: { code: "UNSUPPORTED_MEDIA_TYPE" } } } });
      const asText = await raw(server, `/api/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "{}",
      });
      expect(asText.status, `${procedure} as text/plain`).toBe(415);
      const noType = await raw(server, `/api/trpc/${procedure}`, { method: "POST", body: "" });
      expect(noType.status, `${procedure} without a content type`).toBe(415);
    }
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" }, // another app on localhost:other-port
      { origin: `http://localhost:${server.port + 1}` },
    ];
    for (const headers of crossSite) {
      const res = await raw(server, "/api/trpc/health.pollNow", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const query = await raw(server, "/api/trpc/agents.list", { headers });
      expect(query.status, `GET with ${JSON.stringify(headers)}`).toBe(403);
    }
    // The dashboard's own requests (same origin) and the CLI's (no origin) still work.
    const own = await raw(server, "/api/trpc/health.pollNow", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: `http://127.0.0.1:${server.port}`,
        "sec-fetch-site": "same-origin",
      },
      body: "{}",
    });
    expect(own.status, own.body).toBe(200);
    expect((await raw(server, "/api/trpc/agents.list")).status).toBe(200);
  });

  it("keeps the CLI working through the server (queries and mutations)", async () => {
    const env = { OFFLOAD_DATA_DIR: server.dataDir, DATABASE_URL: undefined };
    const added = await runCli(["agents", "add", "sec-agent", "--pin", "local"], env);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    expect(added.stdout.trimEnd().split("\n").at(-1)).toMatch(/^ofk_/);
    const set = await runCli(["settings", "set", "localContextTokens", "24576"], env);
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    const got = await runCli(["settings", "get", "localContextTokens"], env);
    expect(got.code).toBe(0);
    expect(got.stdout.trim()).toBe("24576");
  });

  it("keeps the data folder and everything in it owner-only", () => {
    const bad: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isSymbolicLink()) continue;
        if (fs.lstatSync(full).mode & 0o077) bad.push(`${full} ${(fs.lstatSync(full).mode & 0o777).toString(8)}`);
        if (entry.isDirectory()) walk(full);
      }
    };
    expect(fs.statSync(server.dataDir).mode & 0o777).toBe(0o700);
    walk(server.dataDir);
    expect(bad).toEqual([]);
    expect(fs.readdirSync(path.join(server.dataDir, "pglite")).length).toBeGreaterThan(5);
  });
});

describe("with an admin token, on every interface", () => {
  const TOKEN = "security-test-admin-token";
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer({
      env: {
        OFFLOAD_ADMIN_TOKEN: TOKEN,
        OFFLOAD_HOST: "0.0.0.0",
        OFFLOAD_DEMO: "off",
        OLLAMA_HOST: "http://127.0.0.1:9",
      },
    });
  });
  afterAll(() => server?.stop());

  it("listens on every interface, answers any Host, and says the dashboard is protected", async () => {
    expect(server.logs()).toMatch(
      /listening on 0\.0\.0\.0:\d+ \(every interface\); the dashboard and admin API are protected/,
    );
    const external = externalAddress();
    if (external) expect(await connects(external, server.port)).toBe(true);
    expect((await raw(server, "/api/health", { headers: { host: "offload.lan" } })).status).toBe(200);
  });

  it("serves /metrics to the admin token only, not to a page's redirect or an anonymous scraper", async () => {
    const anonymous = await fetch(`${server.url}/metrics`, { redirect: "manual" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scraped.text()).toContain("# TYPE offload_requests_total counter");
  });

  it("refuses every admin call without a credential, with an agent key or a bogus cookie", async () => {
    const key = (
      await runCli(["agents", "add", "sec-worker"], { OFFLOAD_DATA_DIR: server.dataDir, DATABASE_URL: undefined })
    ).stdout
      .trimEnd()
      .split("\n")
      .at(-1)!;
    expect(key).toMatch(/^ofk_/);
    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      "agent key": { authorization: `Bearer ${key}` },
      "bogus cookie": { cookie: "offload_session=bogus.1.x" },
      "raw token as the old cookie": { cookie: `offload_admin=${TOKEN}` },
      "raw token as the session cookie": { cookie: `offload_session=${TOKEN}` },
    };
    for (const [who, headers] of Object.entries(callers)) {
      expect((await raw(server, "/api/trpc/agents.list", { headers })).status, who).toBe(401);
      const mutation = await raw(server, "/api/trpc/system.migrate", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      });
      expect(mutation.status, who).toBe(401);
      const page = await raw(server, "/tiers", { headers });
      expect(page.status, who).toBe(307);
      expect(page.headers.location).toMatch(/\/login\?next=%2Ftiers$/);
    }
    expect((await raw(server, "/api/trpc/agents.list", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
    expect(
      (await raw(server, "/api/trpc/agents.list", { headers: { authorization: `Bearer ${cliToken(server)}` } })).status,
    ).toBe(200);
  });

  it("limits wrong admin tokens to ten a minute per address, then answers 429 with Retry-After", async () => {
    // From another client address, so that the other tests' address is not locked out.
    const attempt = (token: string) =>
      raw(server, "/api/trpc/agents.list", { from: "127.0.0.2", headers: { authorization: `Bearer ${token}` } });
    for (let i = 1; i < 10; i++) expect((await attempt(`wrong-token-${i}`)).status, `try ${i}`).toBe(401);
    const tenth = await attempt("wrong-token-10");
    expect(tenth.status).toBe(429);
    expect(Number(tenth.headers["retry-after"])).toBeGreaterThan(0);
    expect(JSON.parse(tenth.body)).toMatchObject({
      error: { json: { data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } } },
    });
    // Locked out: the right token is refused too, from that address only.
    expect((await attempt(TOKEN)).status).toBe(429);
    expect((await raw(server, "/api/trpc/agents.list", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it("signs in with a form post to a signed, HttpOnly, SameSite=Strict session cookie, and signs out", async () => {
    // The login page's form works without scripts: post it as a browser would.
    const login = await raw(server, "/login?next=%2F%5Cevil.example");
    expect(login.status).toBe(200);
    expectSecurityHeaders(login, "/login");
    const fields: Record<string, string> = {};
    for (const input of login.body.match(/<input\b[^>]*>/g) ?? []) {
      const name = /name="([^"]+)"/.exec(input)?.[1];
      const value = /value="([^"]*)"/.exec(input)?.[1] ?? "";
      if (name) fields[name] = value.replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    }
    expect(fields.next).toBe("/"); // "/\evil.example" is not a path on this site
    const post = (token: string) => {
      const form = multipart({ ...fields, token });
      return raw(server, "/login", {
        method: "POST",
        headers: { "content-type": form.type, origin: `http://127.0.0.1:${server.port}` },
        body: form.body,
      });
    };
    const wrong = await post("not-the-token");
    expect(wrong.headers["set-cookie"] ?? []).toEqual([]);
    expect(wrong.body).toContain("That is not the admin token");

    const signedIn = await post(TOKEN);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe("/");
    const setCookie = (signedIn.headers["set-cookie"] ?? []).find((c) => c.startsWith("offload_session="));
    expect(setCookie, JSON.stringify(signedIn.headers)).toBeDefined();
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/; Secure/i); // plain http here
    const expires = Date.parse(/; Expires=([^;]+)/i.exec(setCookie!)![1]!);
    expect(Math.abs(expires - (Date.now() + 12 * 3_600_000))).toBeLessThan(120_000);
    const cookie = setCookie!.split(";")[0]!;

    expect((await raw(server, "/api/trpc/agents.list", { headers: { cookie } })).status).toBe(200);
    expect((await raw(server, "/tiers", { headers: { cookie } })).status).toBe(200);

    // Sign-out from another site is refused; from the app it revokes the session.
    expect(
      (await raw(server, "/logout", { method: "POST", headers: { cookie, origin: "https://evil.example" } })).status,
    ).toBe(403);
    const out = await raw(server, "/logout", {
      method: "POST",
      headers: { cookie, origin: `http://127.0.0.1:${server.port}` },
    });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/login");
    expect((out.headers["set-cookie"] ?? []).some((c) => /^offload_session=;.*Max-Age=0/i.test(c))).toBe(true);
    // The old cookie, kept by whoever copied it, no longer works.
    expect((await raw(server, "/api/trpc/agents.list", { headers: { cookie } })).status).toBe(401);
    expect((await raw(server, "/tiers", { headers: { cookie } })).status).toBe(307);
  });

  it("locks the login form after ten wrong tokens from one address", async () => {
    const from = "127.0.0.3";
    const login = await raw(server, "/login", { from });
    const fields: Record<string, string> = {};
    for (const input of login.body.match(/<input\b[^>]*>/g) ?? []) {
      const name = /name="([^"]+)"/.exec(input)?.[1];
      const value = /value="([^"]*)"/.exec(input)?.[1] ?? "";
      if (name) fields[name] = value.replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    }
    let last = "";
    for (let i = 0; i < 11; i++) {
      const form = multipart({ ...fields, token: `wrong-${i}` });
      last = (
        await raw(server, "/login", {
          method: "POST",
          from,
          headers: { "content-type": form.type, origin: `http://127.0.0.1:${server.port}` },
          body: form.body,
        })
      ).body;
    }
    expect(last).toMatch(/Too many wrong tokens from this address: try again in \d+ s/);
  });
});
