// End to end: the Turns page and the tray of recurring turns on the tier board, in headless Chromium
// against the production build, with real gateway traffic (fake Ollama and Anthropic behind it). The
// same instruction with other numbers is one recurring turn; assigning it to a local task type on the
// page routes the next matching turn there, and the turn shows why. On the Tiers page a recurring
// turn's chip dropped on a task type card (mouse, then keyboard) assigns it, audited and undone.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import {
  cliToken,
  launchBrowser,
  openPage,
  screenshotDir,
  trpcQuery,
  visibleAlerts,
  type Browser,
} from "@/server/testing/browser";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;
let claude: FakeAnthropic;
const keys: Record<string, string> = {};

type Served = { status: number; lane: string; reason: string; turnId: string };
type RecentTurn = {
  id: string;
  fingerprint: string | null;
  reason: string | null;
  taskTypeId: string | null;
  contextForcedClaude: boolean;
};
type Recurring = {
  fingerprints: { id: string; template: string; turns: number; lane: string; rule: { taskTypeId: string } | null }[];
};
type Board = { taskTypes: { id: string; name: string; lane: string }[] };
type Change = { id: string; subjectType: string; subjectId: string; fromValue: string; toValue: string };

// Recurring instructions, each with the values that change from one run to the next.
const SYNC = (n: number) =>
  `Explain why the nightly sync of ${n * 37} records took ${n + 20} minutes and what to do about it`;
const STATUS = (n: number) => `Post the status report for sprint ${n} to #ops`;
const LOGS = (n: number) => `Summarise the last ${n * 100} lines of /var/log/app/worker-${n}.log`;
const FORWARD = (n: number) => `Forward message ${8800 + n} from the billing channel to the on-call engineer`;

async function addAgent(id: string, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/trpc/agents.add`, {
    method: "POST",
    headers: { authorization: `Bearer ${cliToken(server)}`, "content-type": "application/json" },
    body: JSON.stringify({ json: { id, name } }),
  });
  expect(res.status).toBe(200);
  keys[id] = ((await res.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
}

/** One turn through the gateway, as an agent sends it; `context`: earlier messages before the instruction. */
async function send(agent: string, text: string, context: { role: string; content: string }[] = []): Promise<Served> {
  const res = await fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": keys[agent]!, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 256,
      messages: [...context, { role: "user", content: text }],
    }),
  });
  await res.text();
  return {
    status: res.status,
    lane: res.headers.get("x-offload-lane") ?? "",
    reason: res.headers.get("x-offload-reason") ?? "",
    turnId: res.headers.get("x-offload-turn-id") ?? "",
  };
}

/** The recorded turn (turns are written in batches, a moment after the answer). */
async function recordedTurn(id: string): Promise<RecentTurn> {
  for (let i = 0; i < 100; i++) {
    const turn = (await trpcQuery<RecentTurn[]>(server, "turns.recent", { limit: 200 })).find((t) => t.id === id);
    if (turn) return turn;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`turn ${id} was not recorded`);
}

async function ruleOf(fingerprint: string): Promise<string | null | undefined> {
  const recurring = await trpcQuery<Recurring>(server, "turns.recurring", { limit: 50 });
  const row = recurring.fingerprints.find((f) => f.id === fingerprint);
  return row ? (row.rule?.taskTypeId ?? null) : undefined;
}

async function waitForRule(fingerprint: string, taskTypeId: string | null): Promise<void> {
  for (let i = 0; i < 50 && (await ruleOf(fingerprint)) !== taskTypeId; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(await ruleOf(fingerprint)).toBe(taskTypeId);
}

const chip = (page: Page, id: string): Locator => page.locator(`[data-fingerprint-chip="${id}"]`);
const card = (page: Page, id: string): Locator => page.locator(`[data-task-type="${id}"]`);

describe("turns page and recurring turns on the tier board", () => {
  const fingerprints: Record<"sync" | "status" | "logs", string> = { sync: "", status: "", logs: "" };
  let forced = ""; // the turn only the local context sent to Claude

  beforeAll(async () => {
    // A healthy Ollama (else local lanes go to Claude) and a fake Claude behind the gateway.
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], ["qwen3:8b"]);
    claude = await startFakeAnthropic();
    server = await startServer({
      env: { OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: "sk-ant-operator", ANTHROPIC_BASE_URL: claude.url },
    });
    browser = await launchBrowser();
    await addAgent("nightly-ops", "Nightly ops");
    await addAgent("reporter", "Reporter");

    // The classifier sends the nightly-sync explanation to Claude, every time, whatever the numbers.
    const syncTurns: Served[] = [];
    for (const n of [3, 4, 5]) syncTurns.push(await send("nightly-ops", SYNC(n)));
    for (const served of syncTurns) expect(served).toMatchObject({ status: 200, lane: "claude" });
    for (const n of [41, 42, 43, 44]) expect((await send("reporter", STATUS(n))).status).toBe(200);
    for (const n of [1, 2, 3]) expect((await send("nightly-ops", LOGS(n))).status).toBe(200);
    expect((await send("reporter", LOGS(4))).status).toBe(200);
    // The same instruction after a pasted log too long for the local context: Claude, for that reason only.
    const log = Array.from({ length: 2_000 }, (_, i) => `2026-11-30T06:${i % 60}:00Z worker-5 job ${i} done in ${i}ms`);
    const context = [
      { role: "user", content: log.join("\n").repeat(2) },
      { role: "assistant", content: "Got the log." },
    ];
    const served = await send("nightly-ops", LOGS(5), context);
    expect(served).toMatchObject({ status: 200, lane: "claude" });
    forced = served.turnId;
    for (const n of [1, 2]) expect((await send("reporter", FORWARD(n))).status).toBe(200);
    const last = await send("reporter", STATUS(45));
    await recordedTurn(last.turnId);
    fingerprints.sync = (await recordedTurn(syncTurns[0]!.turnId)).fingerprint!;
    expect((await recordedTurn(syncTurns[2]!.turnId)).fingerprint).toBe(fingerprints.sync);
    fingerprints.status = (await recordedTurn(last.turnId)).fingerprint!;
    const recent = await trpcQuery<(RecentTurn & { template: string })[]>(server, "turns.recent", { limit: 200 });
    fingerprints.logs = recent.find((t) => t.template?.startsWith("summarise the last"))!.fingerprint!;
    expect(await recordedTurn(forced)).toMatchObject({ fingerprint: fingerprints.logs, contextForcedClaude: true });
    for (const id of Object.values(fingerprints)) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
    await claude?.close();
  });

  it("shows the recurring turn, assigns it to a local task type on the page, and the next matching turn follows the rule", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/turns");
      await page.getByRole("link", { name: "Turns", exact: true }).waitFor({ state: "visible" });
      const row = page.locator(`table[aria-label="Recurring turns"] tr[data-fingerprint="${fingerprints.sync}"]`);
      await row.waitFor({ state: "visible" });
      // Its template with the placeholders, its turns, and the lane its turns take now: Claude, no rule.
      expect(await row.innerText()).toContain(
        "explain why the nightly sync of <n> records took <n> minutes and what to do about it",
      );
      expect(await row.innerText()).toMatch(/\b3 turns\b/);
      expect(await row.locator("td").nth(4).innerText()).toMatch(/^Claude\s+No rule/);
      const logs = page.locator(`table[aria-label="Recurring turns"] tr[data-fingerprint="${fingerprints.logs}"]`);
      expect(await logs.locator("td").nth(3).innerText()).toMatch(/^20%\s+1 by context$/);
      await page
        .getByRole("table", { name: "Recent turns" })
        .locator(`tr[data-turn-id="${forced}"]`)
        .getByTestId("context-forced")
        .waitFor({ state: "visible" });

      await row.getByRole("combobox").selectOption("status-report");
      await row.getByRole("button", { name: "Assign" }).click();
      await row
        .getByRole("status")
        .filter({ hasText: "Assigned: matching turns route as Status reporting (Local) from now on." })
        .waitFor({ state: "visible" });
      await row.getByText("Rule: Status reporting").waitFor({ state: "visible" });
      expect(await row.locator("td").nth(4).innerText()).toMatch(/^Local\s+Rule: Status reporting\s+by /);
      await waitForRule(fingerprints.sync, "status-report");
      const [change] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(change).toMatchObject({
        subjectType: "fingerprint",
        subjectId: fingerprints.sync,
        fromValue: "none",
        toValue: "status-report",
      });

      // The next matching turn, with other numbers: the operator's rule sends it to the local model.
      const next = await send("nightly-ops", SYNC(9));
      expect(next).toMatchObject({ status: 200, lane: "local" });
      const reason = `the operator's rule for fingerprint ${fingerprints.sync}; task type status-report is in lane local`;
      expect(next.reason).toBe(reason);
      expect(await recordedTurn(next.turnId)).toMatchObject({ fingerprint: fingerprints.sync, reason });

      // Clicking the instruction filters Recent turns to it; the new turn is there with its reason.
      await row.getByRole("button", { name: /explain why the nightly sync/ }).click();
      expect(new URL(page.url()).searchParams.get("fingerprint")).toBe(fingerprints.sync);
      const recentTable = page.getByRole("table", { name: "Recent turns" });
      const turnRow = recentTable.locator(`tr[data-turn-id="${next.turnId}"]`);
      await turnRow.waitFor({ state: "visible" });
      await recentTable.locator("tbody tr").nth(3).waitFor({ state: "visible" });
      expect(await recentTable.locator("tbody tr").count()).toBe(4); // the three before and this one
      expect(await turnRow.innerText()).toContain("Status reporting");
      const why = turnRow.getByRole("button", { name: /the operator's rule for fingerprint/ });
      expect(await why.getAttribute("title")).toBe(reason);
      await why.click();
      expect(await turnRow.innerText()).toContain(reason);

      // The agent filter, and back to every turn.
      await page.getByRole("button", { name: "Clear the instruction filter" }).click();
      await page.getByLabel("Filter by agent").selectOption("reporter");
      await recentTable.locator("tbody tr").first().waitFor({ state: "visible" });
      for (let i = 0; i < 50; i++) {
        const agents = await recentTable.locator("tbody tr td:nth-child(2)").allInnerTexts();
        if (agents.length === 8 && agents.every((a) => a === "Reporter")) break;
        await page.waitForTimeout(100);
      }
      expect(await recentTable.locator("tbody tr td:nth-child(2)").allInnerTexts()).toEqual(Array(8).fill("Reporter"));
      expect(new URL(page.url()).searchParams.get("agent")).toBe("reporter");
      await page.getByLabel("Filter by agent").selectOption("");
      await recentTable.locator(`tr[data-turn-id="${next.turnId}"]`).waitFor({ state: "visible" });
      await recentTable.locator("tbody tr").nth(20).waitFor({ state: "visible" });
      expect(await visibleAlerts(page)).toEqual([]);

      // Sorted by cost: the log summaries (one of them on Claude) come first.
      await page.getByRole("button", { name: "Cost", exact: true }).click();
      await page
        .locator('table[aria-label="Recurring turns"] tbody tr')
        .first()
        .and(page.locator(`[data-fingerprint="${fingerprints.logs}"]`))
        .waitFor({ state: "visible" });
      expect(new URL(page.url()).searchParams.get("sort")).toBe("cost");

      // Opened afresh, with the rule's turn explained in full.
      await openPage(page, server, "/turns");
      await page.locator(`tr[data-fingerprint="${fingerprints.sync}"]`).getByText("4 turns").waitFor();
      await page
        .getByRole("table", { name: "Recent turns" })
        .locator(`tr[data-turn-id="${next.turnId}"]`)
        .getByRole("button", { name: /the operator's rule/ })
        .click();
      await page.screenshot({ path: path.join(screenshotDir, "turns.png"), fullPage: true });
      // The README's picture (docs/turns.png) is copied from this one by hand: a test run never changes tracked files.
      const docs = path.join(screenshotDir, "turns-readme.png");
      const height = await page.evaluate(() => {
        const table = document.querySelector('table[aria-label="Recent turns"]');
        const rows = table?.querySelectorAll("tbody tr");
        const last = rows?.[Math.min(rows.length - 1, 13)];
        return Math.ceil((last?.getBoundingClientRect().bottom ?? 1400) + window.scrollY + 16);
      });
      fs.mkdirSync(path.dirname(docs), { recursive: true });
      await page.screenshot({ path: docs, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(screenshotDir, "turns-phone.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("assigns a recurring turn by dropping its chip on a task type card, shows it in the audit and undoes it", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const tray = page.getByRole("list", { name: "Recurring turns without a rule" });
      await chip(page, fingerprints.logs).waitFor({ state: "visible" });
      // The one with a rule is not in the tray.
      expect(await tray.locator(`[data-fingerprint-chip="${fingerprints.sync}"]`).count()).toBe(0);
      expect(await chip(page, fingerprints.logs).innerText()).toContain("summarise the last <n> lines of <path>");

      const target = card(page, "log-summarization");
      // The tray at the top of the window, the card below it: both in view.
      await page.evaluate(() => document.getElementById("fingerprint-tray-title")?.scrollIntoView());
      const from = (await chip(page, fingerprints.logs).boundingBox())!;
      const to = (await target.boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 3 });
      await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
      const hint = target.getByTestId("assign-estimate");
      await hint.waitFor({ state: "visible" });
      expect(await hint.innerText()).toBe("Drop: its turns route as Log summarization (Local with care)");
      await page.screenshot({ path: path.join(screenshotDir, "tiers-dragging-fingerprint.png") });
      await page.mouse.up();

      await waitForRule(fingerprints.logs, "log-summarization");
      await chip(page, fingerprints.logs).waitFor({ state: "detached" });
      const audit = page.getByRole("list", { name: "Tier changes" });
      const entry = audit.locator("li").first();
      await entry.getByText("“summarise the last <n> lines of <path>”").waitFor({ state: "visible" });
      expect(await entry.innerText()).toContain("no rule → routed as Log summarization");
      await page.getByRole("status").filter({ hasText: "now routes as Log summarization" }).waitFor();
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "tiers-fingerprint-assigned.png"), fullPage: true });

      await entry.getByRole("button", { name: "Undo" }).click();
      await waitForRule(fingerprints.logs, null);
      await chip(page, fingerprints.logs).waitFor({ state: "visible" });
      const [undo] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(undo).toMatchObject({ subjectId: fingerprints.logs, fromValue: "log-summarization", toValue: "none" });
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("assigns one with the keyboard alone", async () => {
    const board = await trpcQuery<Board>(server, "tiers.board");
    const firstLocal = board.taskTypes.find((t) => t.lane === "local")!;
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const status = chip(page, fingerprints.status);
      await status.waitFor({ state: "visible" });
      await status.focus();
      await page.keyboard.press("Space");
      // Right: the first card of the first lane with cards; again: the next lane's first card (Local).
      for (const _ of [0, 1]) {
        await page.waitForTimeout(150);
        await page.keyboard.press("ArrowRight");
      }
      await page.waitForTimeout(150);
      await card(page, firstLocal.id).getByTestId("assign-estimate").waitFor({ state: "visible" });
      await page.keyboard.press("Space");
      await waitForRule(fingerprints.status, firstLocal.id);
      const [change] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(change).toMatchObject({ subjectId: fingerprints.status, fromValue: "none", toValue: firstLocal.id });
      await status.waitFor({ state: "detached" });
      await page
        .getByRole("list", { name: "Tier changes" })
        .locator("li")
        .first()
        .getByRole("button", { name: "Undo" })
        .click();
      await waitForRule(fingerprints.status, null);
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
