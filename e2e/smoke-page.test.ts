// End to end: the Smoke page in headless Chromium against the production build, with Ollama and
// Claude played by fake servers. Starting a local and a Claude run shows both progress bars reach
// the end; the comparison, the capability matrix and the proposed tier move follow from the
// answers; applying the move goes through the audited path; a slow run can be cancelled.
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
import { startFakeOllama, type FakeOllama, type OllamaReply } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { goodAnswer, lastUser } from "@/server/testing/smoke-answers";
import { SMOKE_SUITE } from "@/server/core/smoke/suite";

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;
let claude: FakeAnthropic;

type Board = { taskTypes: { id: string; lane: string }[] };
type Change = { subjectId: string; fromValue: string; toValue: string; note: string | null };

const progressBar = (page: Page, model: string) => page.getByRole("progressbar", { name: `${model} progress` });

async function waitFinished(page: Page, model: string): Promise<void> {
  const bar = progressBar(page, model);
  await bar.waitFor({ timeout: 15_000 });
  await page.waitForFunction(
    (label) => {
      const el = document.querySelector(`[role=progressbar][aria-label="${label}"]`);
      return !!el && el.getAttribute("aria-valuenow") === el.getAttribute("aria-valuemax");
    },
    `${model} progress`,
    { timeout: 60_000 },
  );
}

describe("smoke page in a browser", () => {
  beforeAll(async () => {
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], ["qwen3:8b"]);
    // The local model answers well, slowly enough to watch, except that it writes its message
    // to the wrong recipient: "compose simple messages" fails locally and passes on Claude.
    ollama.setReply((body): OllamaReply => {
      const prompt = lastUser(body);
      if (prompt.includes("Tell Loash"))
        return {
          toolCalls: [{ name: "send_message", arguments: { to: "flere-imsaho", text: "Please rebase." } }],
          delayMs: 150,
        };
      return { ...goodAnswer(prompt), delayMs: 150 } as OllamaReply;
    });
    claude = await startFakeAnthropic();
    claude.setReply((body) => {
      const a = goodAnswer(lastUser(body));
      return {
        text: a.content,
        toolUses: a.toolCalls?.map((c) => ({ name: c.name, input: c.arguments })),
        usage: { input_tokens: 400, output_tokens: 30 },
      };
    });
    server = await startServer({
      env: { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: "sk-ant-operator", ANTHROPIC_BASE_URL: claude.url },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
    await claude?.close();
  });

  it("starts a local and a Claude run, shows both progress bars reach the end, compares them and applies the proposed move", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/smoke");
      await page.getByText("No smoke runs yet").waitFor();
      // The configured local model and Claude model are offered and ticked.
      expect(await page.getByRole("checkbox", { name: "ollama/qwen3:8b", exact: true }).isChecked()).toBe(true);
      expect(await page.getByRole("checkbox", { name: "anthropic/claude-opus-4-6", exact: true }).isChecked()).toBe(
        true,
      );
      // Three times over: a move away from the local model needs three answers of a capability.
      await page.getByLabel("Repeat the suite").fill("3");
      await page.getByRole("button", { name: "Start" }).click();

      const local = progressBar(page, "ollama/qwen3:8b");
      await local.waitFor({ timeout: 15_000 });
      // Progress moves task by task before the end.
      await page.waitForFunction(
        () =>
          Number(
            document
              .querySelector('[role=progressbar][aria-label="ollama/qwen3:8b progress"]')
              ?.getAttribute("aria-valuenow"),
          ) > 0,
        undefined,
        { timeout: 20_000 },
      );
      expect(Number(await local.getAttribute("aria-valuenow"))).toBeLessThan(3 * SMOKE_SUITE.length);
      await page.screenshot({ path: path.join(screenshotDir, "smoke-running.png"), fullPage: true });

      await waitFinished(page, "ollama/qwen3:8b");
      await waitFinished(page, "anthropic/claude-opus-4-6");
      expect(await local.getAttribute("aria-valuemax")).toBe(String(3 * SMOKE_SUITE.length));
      const localRun = page.locator('[data-smoke-run][data-status="failed"]');
      await localRun.waitFor({ timeout: 10_000 });
      expect(await localRun.getByTestId("smoke-progress-text").innerText()).toContain(
        `${3 * SMOKE_SUITE.length} of ${3 * SMOKE_SUITE.length} tasks · ${3 * (SMOKE_SUITE.length - 1)} passed · 3 failed`,
      );
      await page.locator('[data-smoke-run][data-status="passed"]').waitFor({ timeout: 10_000 });

      // The comparison: both runs, the matrix from measured pass rates, the proposal with its evidence.
      const matrix = page.getByRole("table", { name: "Capability matrix" });
      await matrix.waitFor({ timeout: 15_000 });
      const messages = matrix.locator('[data-capability="messages"] td');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-capability="messages"] td').length === 3,
        undefined,
        { timeout: 15_000 },
      );
      const cells = await messages.allInnerTexts();
      expect(cells.slice(1).sort()).toEqual(["✅ 3/3", "❌ 0/3"]);
      expect(await matrix.locator('[data-capability="git"] td').allInnerTexts()).toEqual([
        "Git workflows",
        "✅ 6/6",
        "✅ 6/6",
      ]);
      expect(await page.getByText("✅ passes 95% or more").isVisible()).toBe(true);
      const proposal = page.locator('[data-proposal="message-forwarding"]');
      expect(await proposal.innerText()).toContain(
        "Compose simple messages passed 0/3 on ollama/qwen3:8b (95% interval 0-56%)",
      );
      expect(await proposal.innerText()).toContain("3/3 on anthropic/claude-opus-4-6");
      expect(await proposal.innerText()).toContain("move Message forwarding from Local to Claude?");
      expect(await page.locator('[data-row="message-rebase"]').first().innerText()).toContain("0/3");
      await page.screenshot({ path: path.join(screenshotDir, "smoke-compare.png"), fullPage: true });

      // Applying it moves the task type through the tier board's audited path.
      await proposal.getByRole("button", { name: "Move Message forwarding" }).click();
      await page.getByText("Moved Message forwarding → Claude").waitFor({ timeout: 10_000 });
      const board = await trpcQuery<Board>(server, "tiers.board");
      expect(board.taskTypes.find((t) => t.id === "message-forwarding")?.lane).toBe("claude");
      const [change] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 1 });
      expect(change).toMatchObject({ subjectId: "message-forwarding", fromValue: "local", toValue: "claude" });
      expect(change!.note).toContain("smoke evidence");
      await page.locator('[data-proposal="message-forwarding"]').waitFor({ state: "detached", timeout: 10_000 });
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("cancels a slow run from the page", async () => {
    ollama.setReply((body): OllamaReply => ({ ...goodAnswer(lastUser(body)), delayMs: 1_500 }) as OllamaReply);
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/smoke");
      await page.getByRole("checkbox", { name: "anthropic/claude-opus-4-6", exact: true }).uncheck();
      await page.getByRole("button", { name: "Start" }).click();
      const running = page.locator('[data-smoke-run][data-status="running"]');
      await running.waitFor({ timeout: 15_000 });
      await running.getByRole("button", { name: "Cancel" }).click();
      const cancelled = page.locator('[data-smoke-run][data-status="cancelled"]');
      await cancelled.waitFor({ timeout: 15_000 });
      const done = Number(await cancelled.getByRole("progressbar").getAttribute("aria-valuenow"));
      expect(done).toBeLessThan(SMOKE_SUITE.length);
      const runs = await trpcQuery<{ status: string; model: string }[]>(server, "smoke.runs");
      expect(runs[0]).toMatchObject({ model: "ollama/qwen3:8b", status: "cancelled" });

      // On a phone the page fits the screen; the wide tables scroll inside their cards.
      await page.setViewportSize({ width: 390, height: 844 });
      await openPage(page, server, "/smoke");
      await page.getByRole("table", { name: "Capability matrix" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "smoke-phone.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
