// End to end: every dashboard page is rendered on the server from prefetched data, as an operator
// signed in with OFFLOAD_ADMIN_TOKEN opens it in Chromium. The browser must hydrate the server's HTML
// without an error (no React #419 "switched to client rendering", no hydration mismatch), and the
// server must not have tried to fetch a query over HTTP while rendering (a TRPCClientError in its output).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { launchBrowser, openPage, visibleAlerts, type Browser } from "@/server/testing/browser";

const ADMIN_TOKEN = "ssr-test-admin-token";
const GB = 1024 ** 3;

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;

/** Everything the page reports as an error: console.error lines and uncaught errors (where React reports recoverable ones). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/login?next=/`, { waitUntil: "networkidle" });
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/`);
}

/** The id of one agent of the demo fleet, asked of the API with the admin token. */
async function someAgentId(): Promise<string> {
  const res = await fetch(`${server.url}/api/trpc/agents.list`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(res.status, "agents.list with the admin token").toBe(200);
  const body = (await res.json()) as { result: { data: { json: { id: string }[] } } };
  const id = body.result.data.json[0]?.id;
  if (!id) throw new Error("the demo fleet has no agents");
  return id;
}

describe("server rendering of the dashboard", () => {
  beforeAll(async () => {
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, contextLength: 16_384 }]);
    server = await startServer({ env: { OFFLOAD_ADMIN_TOKEN: ADMIN_TOKEN, OLLAMA_HOST: ollama.url } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
  });

  it("hydrates every page signed in, with no browser error and no HTTP fetch during server rendering", async () => {
    const pages = [
      "/",
      `/agents/${await someAgentId()}`,
      "/tiers",
      "/turns",
      "/costs",
      "/health",
      "/smoke",
      "/settings",
    ];
    const signInPage = await browser.context.newPage();
    try {
      await signIn(signInPage);
    } finally {
      await signInPage.close();
    }

    const logsBefore = server.logs().length;
    const problems: string[] = [];
    for (const pathname of pages) {
      // A fresh page per path: each load is a full server render and a hydration, not a client navigation.
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      try {
        await openPage(page, server, pathname);
        expect(new URL(page.url()).pathname, `${pathname} is not redirected to the login`).toBe(pathname);
        await page
          .getByTestId("health-badge")
          .getByText(/^Ollama (up|degraded|down)$/)
          .waitFor({ timeout: 15_000 });
        expect(await visibleAlerts(page), `alerts on ${pathname}`).toEqual([]);
        problems.push(...errors.map((e) => `${pathname}: ${e}`));
      } finally {
        await page.close();
      }
    }
    expect.soft(problems, "browser errors").toEqual([]);

    const serverOutput = server.logs().slice(logsBefore);
    expect(serverOutput, "server output while rendering the pages").not.toMatch(/TRPCClientError|Failed to parse URL/);
  });

  it("shows the app's icon in the browser tab and the header, also before signing in", async () => {
    for (const file of ["/icon.svg", "/logo.svg"]) {
      const res = await fetch(`${server.url}${file}`, { redirect: "manual" });
      expect(res.status, `${file} without the login cookie`).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    }
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/login`, { waitUntil: "networkidle" });
      expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/icon.svg");
      const icon = page.locator('h1 img[src="/icon.svg"]');
      await icon.waitFor();
      // Loaded and drawn, not a broken image.
      expect(await icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
