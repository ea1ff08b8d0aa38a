// End to end: signing in to a dashboard behind OFFLOAD_ADMIN_TOKEN in Chromium. The session cookie
// is signed, HttpOnly and SameSite=Strict (never the token); the pages run under their
// Content-Security-Policy without a single violation; Sign out ends the session and sends the
// browser to the login page, and the dashboard then asks for the token again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { launchBrowser, openPage, screenshotDir, type Browser } from "@/server/testing/browser";
import http from "node:http";
import path from "node:path";

const ADMIN_TOKEN = "login-test-admin-token";

let server: StartedServer;
let browser: Browser;

/** Console errors, page errors and CSP violations (reported by the page itself) of a page. */
async function watchProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__cspViolations.push(
        `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`,
      ),
    );
  });
  return async () => {
    const violations = await page
      .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
      .catch(() => [] as string[]);
    return [...problems, ...violations.map((v) => `CSP: ${v}`)];
  };
}

describe("signing in and out", () => {
  beforeAll(async () => {
    server = await startServer({ env: { OFFLOAD_ADMIN_TOKEN: ADMIN_TOKEN, OLLAMA_HOST: "http://127.0.0.1:9" } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs in to the dashboard with no CSP violation, and signs out to the login page", async () => {
    // Another site, with a link to the dashboard.
    const other = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<a href="${server.url}/smoke">the fleet's smoke runs</a>`);
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const elsewhere = { url: `http://localhost:${(other.address() as { port: number }).port}/` };
    const page = await browser.context.newPage();
    const problems = await watchProblems(page);
    try {
      // A page of the dashboard sends an anonymous visitor to the login page, remembering where to go.
      await page.goto(`${server.url}/costs`, { waitUntil: "networkidle" });
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(new URL(page.url()).searchParams.get("next")).toBe("/costs");

      await page.getByLabel("Admin token").fill("not-the-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "That is not the admin token" }).waitFor();

      await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/costs`);
      await openPage(page, server, "/");
      await page.getByRole("button", { name: "Sign out" }).waitFor();

      const cookies = await browser.context.cookies(server.url);
      const session = cookies.find((c) => c.name === "offload_session");
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
      expect(session!.value).not.toContain(ADMIN_TOKEN);
      expect(session!.value).toMatch(/^[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]+$/);
      const hoursLeft = (session!.expires * 1000 - Date.now()) / 3_600_000;
      expect(hoursLeft).toBeGreaterThan(11.9);
      expect(hoursLeft).toBeLessThanOrEqual(12);
      expect(cookies.some((c) => c.value.includes(ADMIN_TOKEN))).toBe(false);
      // Scripts cannot read it.
      expect(await page.evaluate(() => document.cookie)).not.toContain("offload_session");

      // A link from another site: the SameSite=Strict cookie does not come with that navigation, and
      // the dashboard opens the page again from its own origin instead of asking to sign in.
      await page.goto(elsewhere.url); // localhost and 127.0.0.1 are different sites
      await page.getByRole("link", { name: "the fleet's smoke runs" }).click();
      await page.waitForURL(`${server.url}/smoke`);
      await page.getByRole("button", { name: "Sign out" }).waitFor();

      // A client-side navigation (the app's own requests under the CSP) and a chart page.
      await page.getByRole("link", { name: "Tiers" }).click();
      await page.waitForURL(`${server.url}/tiers`);
      await page.locator("h1").first().waitFor();
      await openPage(page, server, "/costs");
      await page.screenshot({ path: path.join(screenshotDir, "login-signed-in.png") });
      expect(await problems(), "console errors and CSP violations while signed in").toEqual([]);

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL((url) => url.pathname === "/login");
      await page.getByLabel("Admin token").waitFor();
      expect((await browser.context.cookies(server.url)).some((c) => c.name === "offload_session")).toBe(false);
      // The dashboard asks again.
      await page.goto(`${server.url}/tiers`, { waitUntil: "networkidle" });
      expect(new URL(page.url()).pathname).toBe("/login");
      // And so does the link from the other site.
      await page.goto(elsewhere.url);
      await page.getByRole("link", { name: "the fleet's smoke runs" }).click();
      await page.waitForURL((url) => url.pathname === "/login");
      expect(new URL(page.url()).searchParams.get("next")).toBe("/smoke");
      expect(await problems(), "console errors and CSP violations on the login page").toEqual([]);
    } finally {
      await page.close();
      other.close();
    }
  });

  it("never sends the browser off-site after signing in", async () => {
    const page = await browser.context.newPage();
    try {
      for (const next of ["//evil.example/", "/\\evil.example", "https://evil.example/"]) {
        await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`, { waitUntil: "networkidle" });
        await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${server.url}/`);
        expect(new URL(page.url()).origin, next).toBe(server.url);
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL((url) => url.pathname === "/login");
      }
    } finally {
      await page.close();
    }
  });
});
