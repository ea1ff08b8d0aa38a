// End to end: the tier board in headless Chromium against the production build. Dragging
// "Heartbeat processing" between lanes, with the mouse and with the keyboard, changes its lane in
// the database, the routing decision and the audit; undo goes back through the same path.
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

let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;

type Board = { taskTypes: { id: string; lane: string }[]; agents: { id: string; pin: string }[] };
type Change = { subjectId: string; fromValue: string; toValue: string; actor: string; note: string | null };

const laneOf = async (id: string) =>
  (await trpcQuery<Board>(server, "tiers.board")).taskTypes.find((t) => t.id === id)?.lane;

async function route(agent: string): Promise<{ lane: string; reason: string }> {
  const res = await fetch(`${server.url}/api/v1/route`, {
    method: "POST",
    headers: { authorization: `Bearer ${cliToken(server)}`, "content-type": "application/json" },
    body: JSON.stringify({ agent, taskType: "heartbeat" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { lane: string; reason: string };
}

async function waitForLane(id: string, lane: string): Promise<void> {
  for (let i = 0; i < 50 && (await laneOf(id)) !== lane; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await laneOf(id)).toBe(lane);
}

const card = (page: Page, id: string): Locator => page.locator(`[data-task-type="${id}"]`);
const column = (page: Page, lane: string): Locator => page.locator(`section[data-lane="${lane}"]`);

describe("tier board in a browser", () => {
  let unpinned: string;

  beforeAll(async () => {
    // A healthy Ollama: while Ollama is down, local lanes route to Claude whatever the board says.
    ollama = await startFakeOllama();
    ollama.setModels(["qwen3:8b"], ["qwen3:8b"]);
    server = await startServer({ env: { OLLAMA_HOST: ollama.url } });
    browser = await launchBrowser();
    const board = await trpcQuery<Board>(server, "tiers.board");
    unpinned = board.agents.find((a) => a.pin === "none")!.id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
  });

  it("moves Heartbeat processing from Local to Claude with the mouse, shows the cost change while dragging, and routes it to Claude", async () => {
    expect(await laneOf("heartbeat")).toBe("local");
    expect((await route(unpinned)).lane).toBe("local");
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const heartbeat = card(page, "heartbeat");
      await column(page, "local").locator('[data-task-type="heartbeat"]').waitFor({ state: "visible" });
      await page.getByLabel("Note for the audit").fill("checking the board");

      const from = (await heartbeat.boundingBox())!;
      const to = (await column(page, "claude").boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 3 });
      await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 15 });
      const estimate = page.getByTestId("move-estimate");
      await estimate.waitFor({ state: "visible" });
      // Moving the fleet's heartbeats to Claude costs more: the estimate says how much a day.
      expect(await estimate.innerText()).toMatch(/^Claude: \+\$[\d,.]+\/day/);
      // Not a full-page shot: that resizes the window, and dnd-kit cancels a drag on resize.
      await page.screenshot({ path: path.join(screenshotDir, "tiers-dragging.png") });
      await page.mouse.up();

      await column(page, "claude").locator('[data-task-type="heartbeat"]').waitFor({ state: "visible" });
      await waitForLane("heartbeat", "claude");
      const decision = await route(unpinned);
      expect(decision.lane).toBe("claude");
      expect(decision.reason).toContain("claude");

      const [latest] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(latest).toMatchObject({
        subjectId: "heartbeat",
        fromValue: "local",
        toValue: "claude",
        note: "checking the board",
      });
      await page
        .getByRole("list", { name: "Tier changes" })
        .getByText("Heartbeat processing", { exact: true })
        .first()
        .waitFor({ state: "visible" });
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("moves it back with the keyboard alone", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const heartbeat = column(page, "claude").locator('[data-task-type="heartbeat"]');
      await heartbeat.waitFor({ state: "visible" });
      await heartbeat.focus();
      await page.keyboard.press("Space");
      for (const _ of [0, 1]) {
        await page.waitForTimeout(150);
        await page.keyboard.press("ArrowLeft");
      }
      await page.waitForTimeout(150);
      expect(await page.getByTestId("move-estimate").innerText()).toMatch(/^Local: −\$[\d,.]+\/day/);
      await page.keyboard.press("Space");
      await column(page, "local").locator('[data-task-type="heartbeat"]').waitFor({ state: "visible" });
      await waitForLane("heartbeat", "local");
      expect((await route(unpinned)).lane).toBe("local");
      const [latest] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(latest).toMatchObject({ subjectId: "heartbeat", fromValue: "claude", toValue: "local" });
    } finally {
      await page.close();
    }
  });

  it("undoes a change from the audit panel, and pins an agent with its control", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const audit = page.getByRole("list", { name: "Tier changes" });
      await audit.locator("li").first().getByRole("button", { name: "Undo" }).click();
      await waitForLane("heartbeat", "claude");
      await column(page, "claude").locator('[data-task-type="heartbeat"]').waitFor({ state: "visible" });

      await page.locator(`select[data-agent-pin="${unpinned}"]`).selectOption("local");
      for (let i = 0; i < 50; i++) {
        const agents = (await trpcQuery<Board>(server, "tiers.board")).agents;
        if (agents.find((a) => a.id === unpinned)?.pin === "local") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // Pinned to local beats the heartbeat's Claude lane.
      expect((await route(unpinned)).lane).toBe("local");
      const [latest] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(latest).toMatchObject({ subjectId: unpinned, fromValue: "none", toValue: "local" });
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "tiers-after.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
