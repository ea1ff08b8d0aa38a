// End to end: the Settings page in headless Chromium against the production build. The operator
// changes the local context, adds a heartbeat pattern and an Ollama host (saved at once, listed in
// the changes), sees bad values refused under their field with nothing stored, sees a change made with `offload settings
// set` through the running server in the same list, undoes a change (refused when changed since), and sets
// how long raw turns are kept (the retention job run from the page, the Turns page naming the retired days).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import {
  launchBrowser,
  openPage,
  screenshotDir,
  trpcQuery,
  visibleAlerts,
  type Browser,
} from "@/server/testing/browser";
import { runCli } from "@/server/testing/run-node";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;

type Settings = {
  localContextTokens: number;
  localKeepAliveMinutes: number;
  localTimeoutSeconds: number;
  heartbeatPatterns: string[];
  ollamaHosts: string[];
  turnRetentionDays: number;
};
type Change = { id: string; key: string; fromValue: string; toValue: string; actor: string; note: string | null };

const settings = () => trpcQuery<Settings>(server, "system.settings");
const changes = () => trpcQuery<Change[]>(server, "system.settingChanges", { limit: 20 });

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

const section = (page: Page, name: string) => page.getByRole("form", { name, exact: true });
const changeList = (page: Page) => page.getByRole("list", { name: "Settings changes" });

describe("settings page in a browser", () => {
  beforeAll(async () => {
    // A healthy Ollama, so that the page shows the badge as an operator would usually see it.
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], ["qwen3:8b"]);
    server = await startServer({ env: { OLLAMA_HOST: ollama.url } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
  });

  it("changes the local context: saved at once, shown in the form and listed in the changes", async () => {
    const page = await browser.context.newPage();
    // Rendered on the server from the page's prefetches, hydrated without an error.
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await openPage(page, server, "/settings");
      expect(errors).toEqual([]);
      expect(await page.getByRole("link", { name: "Settings" }).getAttribute("aria-current")).toBe("page");
      expect(await page.getByTestId("hourly-cost").innerText()).toBe("An hour of local generation costs $0.0525.");
      const local = section(page, "Local model");
      const context = local.getByLabel("Local context");
      expect(await context.inputValue()).toBe("32768");
      await context.fill("24576");
      await local.getByLabel("Reason").fill("a smaller GPU");
      await local.getByRole("button", { name: "Save local model" }).click();
      await local.getByRole("status").filter({ hasText: "Saved Local context" }).waitFor({ state: "visible" });

      expect((await settings()).localContextTokens).toBe(24_576);
      const [latest] = await changes();
      expect(latest).toMatchObject({
        key: "localContextTokens",
        fromValue: "32768",
        toValue: "24576",
        actor: "operator",
        note: "a smaller GPU",
      });
      const row = changeList(page).locator("li").first();
      await row.getByText("Local context: 32,768 tokens → 24,576 tokens").waitFor({ state: "visible" });
      expect(await row.innerText()).toContain("operator");
      expect(await row.innerText()).toContain("“a smaller GPU”");
      expect(await context.inputValue()).toBe("24576");
      expect(await visibleAlerts(page)).toEqual([]);

      // A fresh page reads the stored value.
      await openPage(page, server, "/settings");
      expect(await section(page, "Local model").getByLabel("Local context").inputValue()).toBe("24576");
    } finally {
      await page.close();
    }
  });

  it("adds a heartbeat pattern, which the test box then recognises", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      const form = page.getByRole("form", { name: "Add a heartbeat pattern" });
      await form.getByLabel("New pattern").fill("^\\[fleet heartbeat\\]");
      await form.getByRole("button", { name: "Add pattern" }).click();
      await page
        .getByRole("list", { name: "Heartbeat patterns" })
        .getByText("/^\\[fleet heartbeat\\]/i")
        .waitFor({ state: "visible" });
      expect((await settings()).heartbeatPatterns).toEqual(["^\\[fleet heartbeat\\]"]);
      await changeList(page)
        .locator("li")
        .first()
        .getByText("Heartbeat patterns: none → /^\\[fleet heartbeat\\]/")
        .waitFor({ state: "visible" });

      await page.getByLabel("Try an instruction").fill("[Fleet heartbeat] anything new?");
      expect(await page.getByTestId("heartbeat-try").innerText()).toMatch(/A heartbeat: recognised by the operator's/);
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("adds an Ollama host (refusing one that is not a URL, naming the field) and removes it", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      const card = page.getByTestId("ollama-hosts-setting");
      // Empty: the environment's OLLAMA_HOST is in effect, and the page says which.
      expect(await card.getByTestId("ollama-hosts-in-effect").innerText()).toBe(
        `The list is empty, so the server's environment names the hosts: OLLAMA_HOST gives ${ollama.url}.`,
      );
      const before = await changes();
      const form = page.getByRole("form", { name: "Add an Ollama host" });
      const input = form.getByLabel("New host URL");
      await input.fill("gpu1:11434");
      await form.getByRole("button", { name: "Add host" }).click();
      const hostError = form.getByRole("alert");
      await hostError.waitFor({ state: "visible" });
      expect(await hostError.innerText()).toBe(
        "Ollama hosts: an Ollama host is an http(s) URL such as http://gpu1:11434",
      );
      expect(await input.getAttribute("aria-invalid")).toBe("true");
      expect((await settings()).ollamaHosts).toEqual([]);
      expect((await changes()).map((c) => c.id)).toEqual(before.map((c) => c.id));
      await page.screenshot({ path: path.join(screenshotDir, "settings-ollama-host-refused.png"), fullPage: true });

      // A URL with a trailing slash: stored without it, listed, audited with its reason.
      await input.fill("http://127.0.0.1:9/");
      expect(await form.getByRole("alert").count()).toBe(0); // typing clears the error
      await form.getByLabel("Reason").fill("the second GPU box");
      await form.getByRole("button", { name: "Add host" }).click();
      const list = card.getByRole("list", { name: "Ollama hosts" });
      await list.getByText("http://127.0.0.1:9", { exact: true }).waitFor({ state: "visible" });
      expect((await settings()).ollamaHosts).toEqual(["http://127.0.0.1:9"]);
      expect(await card.getByRole("status").innerText()).toBe(
        "Added http://127.0.0.1:9: local turns may go to it from the next turn, and the next health poll judges it.",
      );
      // Names the variable that would give the hosts (system.info says which, whatever the setting).
      await expect
        .poll(() => card.getByTestId("ollama-hosts-in-effect").innerText(), { timeout: 15_000 })
        .toBe(`This list is in effect. Emptied, the server's OLLAMA_HOST would give ${ollama.url}.`);
      const row = changeList(page).locator("li").first();
      await row.getByText("Ollama hosts: none → http://127.0.0.1:9").waitFor({ state: "visible" });
      expect(await row.innerText()).toContain("“the second GPU box”");

      // Named twice: refused on the page, nothing sent.
      await input.fill("http://127.0.0.1:9");
      await form.getByRole("button", { name: "Add host" }).click();
      expect(await form.getByRole("alert").innerText()).toBe("Ollama hosts: http://127.0.0.1:9 is in the list already");
      await input.fill("");
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "settings-ollama-hosts.png"), fullPage: true });

      await card.getByRole("button", { name: "Remove the Ollama host http://127.0.0.1:9" }).click();
      await card
        .getByRole("status")
        .filter({
          hasText: "Removed http://127.0.0.1:9: the list is empty, so from the next turn the server's environment",
        })
        .waitFor({ state: "visible" });
      expect((await settings()).ollamaHosts).toEqual([]);
      expect(await list.count()).toBe(0);
      await changeList(page)
        .locator("li")
        .first()
        .getByText("Ollama hosts: http://127.0.0.1:9 → none")
        .waitFor({ state: "visible" });
      await card.getByTestId("ollama-hosts-in-effect").getByText("OLLAMA_HOST gives").waitFor({ state: "visible" });
    } finally {
      await page.close();
    }
  });

  it("refuses bad values under their field, naming it, and stores nothing of the section", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      const before = await changes();
      const local = section(page, "Local model");
      await local.getByLabel("Keep-alive").fill("45");
      await local.getByLabel("Local context").fill("12");
      await local.getByRole("button", { name: "Save local model" }).click();
      const fieldError = local.locator('[data-setting="localContextTokens"] [role="alert"]');
      await fieldError.waitFor({ state: "visible" });
      expect(await fieldError.innerText()).toBe("Local context: at least 2,048 tokens");
      expect(await local.getByLabel("Local context").getAttribute("aria-invalid")).toBe("true");
      // Not half-way: the keep-alive of the same save is not stored either.
      expect(await settings()).toMatchObject({ localContextTokens: 24_576, localKeepAliveMinutes: 30 });

      await local.getByLabel("Local context").fill("lots");
      await local.getByRole("button", { name: "Save local model" }).click();
      expect(await fieldError.innerText()).toBe("Local context: enter a whole number of tokens");

      const form = page.getByRole("form", { name: "Add a heartbeat pattern" });
      await form.getByLabel("New pattern").fill("(unclosed");
      await form.getByRole("button", { name: "Add pattern" }).click();
      const patternError = form.getByRole("alert");
      await patternError.waitFor({ state: "visible" });
      expect(await patternError.innerText()).toMatch(/^Heartbeat pattern: not a valid regular expression \(.+\)$/);
      expect((await settings()).heartbeatPatterns).toEqual(["^\\[fleet heartbeat\\]"]);
      expect((await changes()).map((c) => c.id)).toEqual(before.map((c) => c.id));
      await page.screenshot({ path: path.join(screenshotDir, "settings-refused.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("lists a change made with offload settings set through the running server", async () => {
    const set = await runCli(["settings", "set", "localTimeoutSeconds", "90", "--note", "slow GPU"], {
      OFFLOAD_DATA_DIR: server.dataDir,
      DATABASE_URL: undefined,
    });
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      const row = changeList(page).locator("li").first();
      expect(await row.innerText()).toMatch(/Local timeout: 120 seconds → 90 seconds\s+cli · .+ · “slow GPU”/);
      expect(await section(page, "Local model").getByLabel("Local timeout").inputValue()).toBe("90");
    } finally {
      await page.close();
    }
  });

  it("undoes a change from the list, and refuses one whose setting changed since", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      // The CLI's change of the local timeout: back to 120 seconds, at once in the list and the form.
      const timeoutRow = changeList(page).locator('li[data-setting="localTimeoutSeconds"]').first();
      await timeoutRow.getByRole("button", { name: /^Undo/ }).click();
      await page.getByRole("status").filter({ hasText: "Undone: Local timeout is 120 seconds again." }).waitFor();
      expect((await settings()).localTimeoutSeconds).toBe(120);
      // The form takes the value when its settings query has refetched, a moment after the status.
      await expect.poll(() => section(page, "Local model").getByLabel("Local timeout").inputValue()).toBe("120");
      const [latest] = await changes();
      expect(latest).toMatchObject({ key: "localTimeoutSeconds", fromValue: "90", toValue: "120", actor: "operator" });
      expect(latest!.note).toMatch(/^undo of the change at /);

      // Change the local context again: its first change's undo is refused, and nothing moves.
      const local = section(page, "Local model");
      await local.getByLabel("Local context").fill("16384");
      await local.getByRole("button", { name: "Save local model" }).click();
      await waitFor(settings, (s) => s.localContextTokens === 16_384);
      const firstContextChange = changeList(page).locator('li[data-setting="localContextTokens"]').last();
      await firstContextChange.getByText("32,768 tokens → 24,576 tokens").waitFor({ state: "visible" });
      await firstContextChange.getByRole("button", { name: /^Undo/ }).click();
      const refused = page.getByRole("alert").filter({ hasText: "Could not undo" });
      await refused.waitFor({ state: "visible" });
      expect(await refused.innerText()).toContain("localContextTokens changed since (it is 16384 now, not 24576)");
      expect((await settings()).localContextTokens).toBe(16_384);

      // The latest one undoes: back to 24,576, in the form without a reload.
      await changeList(page)
        .locator('li[data-setting="localContextTokens"]')
        .first()
        .getByRole("button", { name: /^Undo/ })
        .click();
      await waitFor(settings, (s) => s.localContextTokens === 24_576);
      await page.waitForFunction(
        () =>
          (document.querySelector('[data-setting="localContextTokens"] input') as HTMLInputElement)?.value === "24576",
      );

      // docs/settings.png is a copy of this one.
      await page.screenshot({ path: path.join(screenshotDir, "settings.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("sets how long raw turns are kept: a period under 31 days refused under its field, 31 saved and cleaned up at once, the Turns and Costs pages naming the retired days", async () => {
    const day = (at: Date) =>
      at.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/settings");
      const history = section(page, "Turn history");
      const field = history.getByLabel("Keep raw turns for");
      const effect = history.getByTestId("turn-retention-effect");
      expect(await field.inputValue()).toBe("0");
      expect(await effect.innerText()).toContain("Every turn is kept.");
      expect(await history.getByRole("button", { name: "Clean up now" }).count()).toBe(0);

      const before = await changes();
      await field.fill("30");
      await history.getByRole("button", { name: "Save turn history" }).click();
      const fieldError = history.locator('[data-setting="turnRetentionDays"] [role="alert"]');
      await fieldError.waitFor({ state: "visible" });
      expect(await fieldError.innerText()).toBe(
        "Keep raw turns for: at least 31 days, or 0 to keep every turn (the unpriced-models notice reads the last 30 days of turns)",
      );
      expect(await field.getAttribute("aria-invalid")).toBe("true");
      expect((await settings()).turnRetentionDays).toBe(0);
      expect((await changes()).map((c) => c.id)).toEqual(before.map((c) => c.id));
      await page.screenshot({ path: path.join(screenshotDir, "settings-turn-retention-refused.png"), fullPage: true });

      // What 31 days would delete today, as typed: before midnight UTC 31 days ago.
      const today = new Date();
      const cutover = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 31));
      await field.fill("31");
      expect(await effect.innerText()).toContain(
        `Turns older than 31 days are deleted (today: those that started before ${day(cutover)}); daily totals are kept forever.`,
      );
      await history.getByLabel("Reason").fill("a month of raw turns is enough");
      await history.getByRole("button", { name: "Save turn history" }).click();
      await history
        .getByRole("status")
        .filter({ hasText: "Saved Keep raw turns for; the clean-up applies it at its next run, within 10 minutes" })
        .waitFor({ state: "visible" });
      expect((await settings()).turnRetentionDays).toBe(31);
      const [latest] = await changes();
      expect(latest).toMatchObject({ key: "turnRetentionDays", fromValue: "0", toValue: "31", actor: "operator" });
      await changeList(page)
        .locator("li")
        .first()
        .getByText("Keep raw turns for: keep every turn → 31 days")
        .waitFor({ state: "visible" });

      // The job runs at start and every 10 minutes; the button runs it now.
      await history.getByRole("button", { name: "Clean up now" }).click();
      const ran = history.getByRole("status").filter({ hasText: /^(Nothing to delete|Deleted)/ });
      await ran.waitFor({ state: "visible" });
      expect(await ran.innerText()).toMatch(
        new RegExp(
          `^(Nothing to delete: every turn left started on or after ${day(cutover)}\\.|Deleted [\\d,]+ turns? that started before ${day(cutover)}; their daily totals stay\\.)$`,
        ),
      );
      await history.getByTestId("turns-retained-from").waitFor({ state: "visible" });
      expect(await history.getByTestId("turns-retained-from").innerText()).toBe(
        `Turns before ${day(cutover)} are retired; their totals are on the Costs page.`,
      );
      expect(await history.getByTestId("turn-retention-last-run").innerText()).toMatch(
        /^Last clean-up \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: (nothing to delete|[\d,]+ turns? deleted)\.$/,
      );
      expect(await visibleAlerts(page)).toEqual([]);
      await history.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshotDir, "settings-turn-retention.png"), fullPage: true });

      await openPage(page, server, "/turns");
      const notice = page.getByTestId("turns-retired-notice");
      expect(await notice.innerText()).toBe(
        `Turns before ${day(cutover)} are retired; their totals are on the Costs page.`,
      );
      expect(await notice.getByRole("link", { name: "Costs page" }).getAttribute("href")).toBe("/costs");
      await page.screenshot({ path: path.join(screenshotDir, "turns-retired-notice.png") });

      // The Costs page: 30 days start after the retained day; 90 days before it, and it says what that means.
      await openPage(page, server, "/costs");
      const costsNotice = page.getByTestId("costs-retired-notice");
      expect(await costsNotice.count()).toBe(0);
      await page.getByRole("group", { name: "Range" }).getByRole("button", { name: "90 days" }).click();
      await costsNotice.waitFor({ state: "visible" });
      expect(await costsNotice.innerText()).toBe(
        `Turns before ${day(cutover)} are retired (the retention period): these days come from the daily totals, which are kept, and their unpriced turns stay unpriced, as a price added now cannot reach them.`,
      );
      await page.screenshot({ path: path.join(screenshotDir, "costs-retired-notice.png") });
    } finally {
      await page.close();
    }
  });

  it("works on a phone", async () => {
    const phone = await launchBrowser({ width: 390, height: 844 });
    try {
      const page = await phone.context.newPage();
      await openPage(page, server, "/settings");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(screenshotDir, "settings-phone.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
