// Test helper for browser tests: headless Debian Chromium through playwright-core, against a
// server from start-server.ts, with the few page helpers every dashboard test needs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { StartedServer } from "./start-server";

const root = path.resolve(import.meta.dirname, "..", "..");
export const screenshotDir = path.join(root, "test-artifacts", "screenshots");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Next's route announcer is an always-present, visually hidden role=alert; it is not an error.
const ALERTS = '[role="alert"]:not(#__next-route-announcer__)';

export type Browser = { context: BrowserContext; close(): Promise<void> };

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    viewport,
  });
  fs.mkdirSync(screenshotDir, { recursive: true });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A tRPC query over HTTP GET; returns the superjson envelope's plain `json` part. */
export async function trpcQuery<T>(server: StartedServer, procedure: string, input?: unknown): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await fetch(`${server.url}/api/trpc/${procedure}${query}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/trpc/${procedure}: ${res.status} ${text}`);
  const body = JSON.parse(text) as { result?: { data?: { json?: T } } };
  if (body.result?.data?.json === undefined)
    throw new Error(`GET /api/trpc/${procedure}: unexpected body ${text.slice(0, 500)}`);
  return body.result.data.json;
}

/** The credential the server leaves for the local CLI; an admin credential for the REST API. */
export function cliToken(server: StartedServer): string {
  return (JSON.parse(fs.readFileSync(path.join(server.dataDir, "server.json"), "utf8")) as { token: string }).token;
}

export async function openPage(page: Page, server: StartedServer, pathname: string): Promise<void> {
  const res = await page.goto(`${server.url}${pathname}`, { waitUntil: "networkidle" });
  if (res?.status() !== 200) throw new Error(`GET ${pathname}: status ${res?.status()}`);
  await page.locator("h1").first().waitFor({ state: "visible" });
  // Suspense fallbacks ("Loading the fleet…") must have given way to the data.
  await page.waitForFunction(() => !/Loading [^\n]*…/.test(document.body.innerText), undefined, { timeout: 30_000 });
}

export async function visibleAlerts(page: Page): Promise<string[]> {
  const alerts = page.locator(ALERTS);
  const texts: string[] = [];
  for (let i = 0; i < (await alerts.count()); i++) {
    const alert = alerts.nth(i);
    if (await alert.isVisible()) texts.push((await alert.innerText()).trim());
  }
  return texts;
}
