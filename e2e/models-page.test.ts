// End to end: model mappings and unpriced models in headless Chromium against the production build.
// The operator adds a mapping on the Tiers page (audited, listed with what it changes in price), then
// prices a model the price table lacks from the Fleet page's flag: the flag goes away, the past turns
// are repriced, and the Costs page shows no flag either. Screenshots at 1280 px and on a phone.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const UNPRICED_MODEL = "claude-sonnet-4-7-20261001";

let server: StartedServer;
let browser: Browser;
let agentId: string;

type Mappings = { mappings: { from: string; to: string; agentId: string | null; taskTypeId: string | null }[] };
type Unpriced = { turns: number; models: { priceKey: string; names: string[]; turns: number }[] };
type Change = { subjectType: string; subjectId: string; fromValue: string; toValue: string; note: string | null };

/** Reports turns for a demo agent with the server's local admin credential (POST /api/v1/turns). */
async function reportTurns(model: string, count: number): Promise<void> {
  const turns = Array.from({ length: count }, () => ({
    agent: agentId,
    model,
    lane: "claude",
    usage: { input_tokens: 1_000, output_tokens: 200, cache_read_input_tokens: 10_000 },
  }));
  const res = await fetch(`${server.url}/api/v1/turns`, {
    method: "POST",
    headers: { authorization: `Bearer ${cliToken(server)}`, "content-type": "application/json" },
    body: JSON.stringify({ turns }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

describe("model mappings and unpriced models in a browser", () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    agentId = (await trpcQuery<{ id: string }[]>(server, "agents.list"))[0]!.id;
    await reportTurns(UNPRICED_MODEL, 3);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("adds a model mapping for one agent on the Tiers page, audited, with its change in price", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/tiers");
      const form = page.getByRole("form", { name: "Add a model mapping" });
      await form.getByLabel("Requested model").fill("claude-opus-4-6");
      await form.getByLabel("Served instead").fill("claude-sonnet-4-6");
      await form.getByLabel("Agent").selectOption(agentId);
      await form.getByLabel("Reason").fill("reviews on Sonnet");
      await form.getByRole("button", { name: "Add mapping" }).click();

      const row = page.getByRole("list", { name: "Model mappings" }).locator("li").first();
      await row.waitFor({ state: "visible" });
      // Opus to Sonnet: $5 to $3 in, $25 to $15 out per million tokens, 40% less per token.
      expect(await row.innerText()).toMatch(
        /in \$5\.00 → \$3\.00 · out \$25\.00 → \$15\.00 per MTok \(−40% per token\)/,
      );
      const { mappings } = await trpcQuery<Mappings>(server, "models.mappings");
      expect(mappings).toEqual(
        [{ from: "claude-opus-4-6", to: "claude-sonnet-4-6", agentId, taskTypeId: null }].map((m) =>
          expect.objectContaining(m),
        ),
      );
      const [latest] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(latest).toMatchObject({
        subjectType: "model_mapping",
        subjectId: `claude-opus-4-6|${agentId}|*`,
        fromValue: "none",
        toValue: "claude-sonnet-4-6",
        note: "reviews on Sonnet",
      });
      await page
        .getByRole("list", { name: "Tier changes" })
        .getByText(/claude-opus-4-6 for .*: not mapped → served as claude-sonnet-4-6/)
        .waitFor({ state: "visible" });
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "tiers-mappings.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole("form", { name: "Add a model mapping" }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshotDir, "tiers-mappings-phone.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("flags the unpriced model on the Fleet page, prices it in one click and a form, and the flag goes away", async () => {
    const before = await trpcQuery<Unpriced>(server, "models.unpriced");
    expect(before).toMatchObject({ turns: 3, models: [{ priceKey: "claude-sonnet-4-7", names: [UNPRICED_MODEL] }] });
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/");
      const flag = page.getByRole("region", { name: "Unpriced models" });
      await flag.waitFor({ state: "visible" });
      expect(await flag.innerText()).toMatch(/3 Claude turns in the last 30 days have no price/);
      await flag.getByRole("button", { name: "Add price for claude-sonnet-4-7" }).click();
      const form = page.getByRole("form", { name: "Price for claude-sonnet-4-7" });
      // Prefilled from the nearest Sonnet in the price table.
      expect(await form.getByLabel("Model").inputValue()).toBe("claude-sonnet-4-7");
      expect(await form.getByLabel("Input").inputValue()).toBe("3");
      expect(await form.getByLabel("Output").inputValue()).toBe("15");
      expect(await form.getByLabel("Cache read").inputValue()).toBe("0.3");
      expect(await form.innerText()).toContain("claude-sonnet-4-6's price");
      await page.screenshot({ path: path.join(screenshotDir, "fleet-unpriced.png"), fullPage: true });

      // A bad value is refused in the form, naming the field; nothing is sent.
      await form.getByLabel("Cache write 1h").fill("six");
      await form.getByRole("button", { name: "Save price" }).click();
      expect(await form.getByRole("alert").innerText()).toMatch(/^Cache write 1h: /);
      await form.getByLabel("Cache write 1h").fill("6");
      await form.getByRole("button", { name: "Save price" }).click();

      await flag.waitFor({ state: "detached" });
      // 1,000 in at $3 + 200 out at $15 + 10,000 cache reads at $0.30 = $0.009 a turn, 3 turns.
      await page.getByText(/claude-sonnet-4-7 priced; 3 past turns repriced \(\$0\.03 added to the totals\)/).waitFor();
      expect(await visibleAlerts(page)).toEqual([]);
      expect(await trpcQuery<Unpriced>(server, "models.unpriced")).toMatchObject({ turns: 0, models: [] });
      const [latest] = await trpcQuery<Change[]>(server, "tiers.changes", { limit: 5 });
      expect(latest).toMatchObject({
        subjectType: "model_price",
        subjectId: "claude-sonnet-4-7",
        fromValue: "unpriced",
      });

      // New turns of the model are priced at once (the gateway's cached prices were dropped).
      await reportTurns(UNPRICED_MODEL, 1);
      const agent = await waitFor(
        () =>
          trpcQuery<{ recentTurns: { servedModel: string; costMicroUsd: string | null }[] }>(server, "fleet.agent", {
            id: agentId,
          }),
        (a) => a.recentTurns.filter((t) => t.servedModel === UNPRICED_MODEL).length === 4,
      );
      const sonnet47 = agent.recentTurns.filter((t) => t.servedModel === UNPRICED_MODEL);
      expect(sonnet47.map((t) => String(t.costMicroUsd))).toEqual(["9000", "9000", "9000", "9000"]);

      await openPage(page, server, "/costs");
      expect(await page.getByRole("region", { name: "Unpriced models" }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it("shows requested -> served on the agent page's turns when they differ", async () => {
    const page = await browser.context.newPage();
    try {
      // The agent that works locally the most: its local turns answered a Claude request with the local model.
      const overview = await trpcQuery<{ agents: { id: string; last7Days: { localTurns: number } }[] }>(
        server,
        "fleet.overview",
      );
      const local = overview.agents.sort((a, b) => b.last7Days.localTurns - a.last7Days.localTurns)[0]!;
      await openPage(page, server, `/agents/${local.id}`);
      const rows = page.locator("tr[data-turn-id]");
      await rows.first().waitFor({ state: "visible" });
      const cells = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[3]!.innerText));
      expect(cells).toContain("claude-opus-4-6 → qwen3:8b");
      // A turn served as requested shows its model alone.
      expect(cells.some((c) => c === "claude-opus-4-6")).toBe(true);
      await page.screenshot({ path: path.join(screenshotDir, "agent-models.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("lays the flag and its form out on a phone", async () => {
    await reportTurns("claude-opus-5-20270101", 2);
    const page = await browser.context.newPage();
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await openPage(page, server, "/costs");
      const flag = page.getByRole("region", { name: "Unpriced models" });
      await flag.getByRole("button", { name: "Add price for claude-opus-5" }).click();
      await page.getByRole("form", { name: "Price for claude-opus-5" }).waitFor({ state: "visible" });
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "costs-unpriced-phone.png"), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await page.close();
    }
  });
});
