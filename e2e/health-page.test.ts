// End to end: the Health page against the production build, with Ollama played by a fake server
// in each state (up, degraded, down), as an operator sees it.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { launchBrowser, openPage, screenshotDir, visibleAlerts, type Browser } from "@/server/testing/browser";

const GB = 1024 ** 3;
let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;

async function check(page: Page, expected: string): Promise<void> {
  await openPage(page, server, "/health");
  await page.getByRole("button", { name: "Check now" }).click();
  await page.locator(`[data-health-status="${expected}"]`).waitFor({ timeout: 15_000 });
  await page.getByTestId("health-badge").getByText(`Ollama ${expected}`).waitFor({ timeout: 20_000 });
}

describe("health page in a browser", () => {
  beforeAll(async () => {
    ollama = await startFakeOllama();
    server = await startServer({ env: { OLLAMA_HOST: ollama.url, OFFLOAD_HEALTH_INTERVAL_S: "2" } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
  });

  it("shows up, degraded and down with their reasons, VRAM bars and the badge", async () => {
    const page = await browser.context.newPage();
    try {
      ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, contextLength: 16_384 }]);
      await check(page, "up");
      expect(await page.getByTestId("health-status").innerText()).toBe("up");
      expect(await page.locator('[data-loaded-model="qwen3:8b"]').innerText()).toContain("100% on the GPU");
      expect(await page.getByText("nvidia-smi").first().isVisible()).toBe(true); // not available here, said so
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "health-up.png"), fullPage: true });

      ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 3 * GB }]);
      await check(page, "degraded");
      expect(await page.getByTestId("health-reasons").innerText()).toContain("50% of it runs on the CPU");
      expect(await page.locator('[data-loaded-model="qwen3:8b"]').innerText()).toContain("50% on the GPU");
      await page.screenshot({ path: path.join(screenshotDir, "health-degraded.png"), fullPage: true });

      ollama.failAlways({ kind: "refuse" });
      await check(page, "down");
      expect(await page.getByTestId("health-reasons").innerText()).toContain("connection refused");
      expect(await page.getByText("local work goes to Claude").isVisible()).toBe(true);
      await page.screenshot({ path: path.join(screenshotDir, "health-down.png"), fullPage: true });

      ollama.failAlways(null);
      ollama.setModels(["llama3.2:3b"]);
      await check(page, "down");
      // Still down, for another reason: wait for the poll that sees the missing model.
      await page.getByTestId("health-reasons").getByText("ollama pull qwen3:8b").waitFor({ timeout: 15_000 });
    } finally {
      await page.close();
    }
  });
});
