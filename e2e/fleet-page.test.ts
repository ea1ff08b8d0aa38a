// End to end: the real server (fresh embedded database with the demo fleet) in headless Chromium.
// Checks the fleet table against the API's numbers and saves screenshots of every dashboard page
// to test-artifacts/screenshots/ for a human to look at. Budgets: an agent's set on its page, the
// fleet's on the Fleet page, and the alert at 80% on every page (Claude is a fake Anthropic server).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { runCli } from "@/server/testing/run-node";
import {
  launchBrowser,
  openPage as open,
  screenshotDir,
  trpcQuery as query,
  visibleAlerts,
  type Browser,
} from "@/server/testing/browser";

const DEMO_AGENTS: Record<string, string> = {
  "worker-1": "Worker 1",
  "flere-imsaho": "Flere-Imsaho",
  loash: "Loash",
  gcu: "GCU",
  ops: "Ops",
};

const PAGES = [
  { name: "fleet", path: "/", title: "Fleet" },
  { name: "tiers", path: "/tiers", title: "Tiers" },
  { name: "costs", path: "/costs", title: "Costs" },
  { name: "health", path: "/health", title: "Health" },
  { name: "smoke", path: "/smoke", title: "Smoke runs" },
] as const;

const ALERT_SELECTOR = '[role="alert"]:not(#__next-route-announcer__)';

let server: StartedServer;
let claude: FakeAnthropic;
let browser: Browser;
let context: BrowserContext;
const trpcQuery = <T>(procedure: string, input?: unknown) => query<T>(server, procedure, input);
const openPage = (page: Page, pathname: string) => open(page, server, pathname);

describe("dashboard in a browser", () => {
  beforeAll(async () => {
    claude = await startFakeAnthropic();
    server = await startServer({ env: { ANTHROPIC_API_KEY: "sk-ant-e2e-operator", ANTHROPIC_BASE_URL: claude.url } });
    browser = await launchBrowser();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await claude?.close();
  });

  it("shows the demo fleet with each agent's turns per day over the last 7 days", async () => {
    const agents = await trpcQuery<{ id: string; name: string }[]>("agents.list");
    expect(agents.map((a) => a.id).sort()).toEqual(Object.keys(DEMO_AGENTS).sort());

    type Overview = {
      agents: { id: string; turnsPerDay: number; daysObserved: number; last7Days: { turns: number } }[];
    };
    const turnsByAgent = async () => {
      const overview = await trpcQuery<Overview>("fleet.overview");
      for (const a of overview.agents) {
        // The rate is the 7-day total over the days observed (today's partial day included).
        expect(a.daysObserved, `days observed for ${a.id}`).toBeGreaterThan(6);
        expect(a.daysObserved, `days observed for ${a.id}`).toBeLessThanOrEqual(7);
        expect(a.turnsPerDay).toBeCloseTo(a.last7Days.turns / a.daysObserved, 6);
      }
      return new Map(overview.agents.map((a) => [a.id, a.turnsPerDay]));
    };
    const before = await turnsByAgent();

    const page = await context.newPage();
    try {
      await openPage(page, "/");
      await page.locator("table tbody tr[data-agent-id]").first().waitFor({ state: "visible" });
      expect(await page.locator("h1").first().innerText()).toBe("Fleet");
      await page.getByText("Turns today", { exact: true }).waitFor({ state: "visible" });

      const shown = new Map<string, number>();
      for (const { id } of agents) {
        const name = DEMO_AGENTS[id]!;
        const row = page.locator(`tr[data-agent-id="${id}"]`);
        const nameCell = row.getByText(name, { exact: true });
        await nameCell.waitFor({ state: "visible" });
        expect(await nameCell.isVisible(), `${name} visible`).toBe(true);
        const text = (await row.locator('td[data-col="turns-per-day"]').innerText()).trim();
        expect(text, `turns/day cell of ${id}`).toMatch(/^\d{1,3}(,\d{3})*$/);
        shown.set(id, Number(text.replace(/,/g, "")));
      }
      // Read again afterwards: should a UTC midnight pass while the page loads, either window is right.
      const after = await turnsByAgent();
      for (const { id } of agents) {
        const value = shown.get(id)!;
        expect(before.has(id) && after.has(id), `fleet.overview has ${id}`).toBe(true);
        // The rate moves a little as time passes between the two reads; the page's value sits between them.
        const low = Math.min(before.get(id)!, after.get(id)!);
        const high = Math.max(before.get(id)!, after.get(id)!);
        expect(
          value,
          `turns/day of ${id}: page shows ${value}, API says ${before.get(id)} / ${after.get(id)}`,
        ).toBeGreaterThanOrEqual(Math.round(low) - 1);
        expect(
          value,
          `turns/day of ${id}: page shows ${value}, API says ${before.get(id)} / ${after.get(id)}`,
        ).toBeLessThanOrEqual(Math.round(high) + 1);
        expect(value, `turns/day of ${id}`).toBeGreaterThan(0);
      }
      expect(await page.locator("tr[data-agent-id]").count()).toBe(agents.length);
      expect(await visibleAlerts(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("filters and sorts the fleet, and opens an agent's page with its turns, key and pin", async () => {
    const page = await context.newPage();
    try {
      await openPage(page, "/");
      await page.getByPlaceholder("Filter by name, role, pin, model").fill("loa");
      expect(await page.locator("tr[data-agent-id]").count()).toBe(1);
      await page.getByPlaceholder("Filter by name, role, pin, model").fill("");
      await page.getByRole("button", { name: /Turns\/day/ }).click(); // descending first
      const turns = await page.locator('td[data-col="turns-per-day"]').allInnerTexts();
      const numbers = turns.map((t) => Number(t.replace(/,/g, "")));
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

      await page.getByRole("link", { name: "Loash", exact: true }).click();
      await page.waitForURL(/\/agents\/loash$/);
      await page.locator("h1", { hasText: "Loash" }).waitFor();
      await page.locator('[data-chart="agent-turns"] svg path').first().waitFor({ state: "attached" });
      expect(await page.locator("tr[data-turn-id]").count()).toBeGreaterThan(0);

      await page.getByRole("button", { name: /^(Rotate key|Issue a new key)$/ }).click();
      const key = (await page.getByTestId("new-key").innerText()).trim();
      expect(key).toMatch(/^ofk_/);
      // The new key works for the agent; the page never showed the old one.
      const res = await fetch(`${server.url}/api/v1/route`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ taskType: "heartbeat" }),
      });
      expect(res.status).toBe(200);
      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Revoke key" }).click();
      await page.getByText("Revoked: no key works for this agent.").waitFor();
      const revoked = await fetch(`${server.url}/api/v1/route`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ taskType: "heartbeat" }),
      });
      expect(revoked.status).toBe(401);
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "agent.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("draws the cost charts and reproduces the seed's projection for the defaults", async () => {
    const page = await context.newPage();
    try {
      await openPage(page, "/costs");
      for (const chart of ["turns", "cost", "by-agent", "by-task-type", "tokens"]) {
        const paths = page.locator(`[data-chart="${chart}"] svg path`);
        await paths.first().waitFor({ state: "attached" });
        expect(await paths.count(), `SVG paths in the ${chart} chart`).toBeGreaterThan(0);
      }
      expect(await page.getByTestId("projected-turns").innerText()).toBe("960");
      const allClaude = page.locator('[data-scenario="all-claude"]').first();
      expect(await allClaude.locator('[data-col="daily"]').innerText()).toMatch(/^\$19\.20[–-]48\.00$/);
      expect(await allClaude.locator('[data-col="monthly"]').innerText()).toMatch(/^\$576\.00[–-]1,440\.00$/);

      // Another fleet shape recomputes at once; a bad one names its field.
      await page.locator('input[name="agents"]').fill("10");
      expect(await page.getByTestId("projected-turns").innerText()).toBe("1,920");
      await page.locator('input[name="heartbeatMinutes"]').fill("0");
      expect(await page.locator(ALERT_SELECTOR).first().innerText()).toContain("heartbeatMinutes");

      // 7 days: fewer bars, same charts.
      await page.getByRole("button", { name: "7 days" }).click();
      await page
        .getByText(/ to .* \(UTC\) · /)
        .first()
        .waitFor();
      expect(await page.locator('[data-chart="turns"] svg path').count()).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it("renders every dashboard page without an error (screenshots in test-artifacts/screenshots)", async () => {
    const page = await context.newPage();
    try {
      for (const p of PAGES) {
        await openPage(page, p.path);
        expect(await page.locator("h1").first().innerText(), `h1 of ${p.path}`).toBe(p.title);
        expect(await visibleAlerts(page), `alerts on ${p.path}`).toEqual([]);
        await page.screenshot({ path: path.join(screenshotDir, `${p.name}.png`), fullPage: true });
      }

      await page.setViewportSize({ width: 390, height: 844 });
      await openPage(page, "/");
      await page.locator("tr[data-agent-id]").first().waitFor({ state: "attached" });
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "fleet-phone.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("sets an agent's daily budget on its page and the fleet's on the Fleet page; every page alerts at 80%", async () => {
    // Micro-dollars are bigints: superjson's plain part carries them as strings.
    type Budgets = {
      fleet: { budgetMicroUsd: string | null; spentMicroUsd: string; alert: { level: string; share: number } };
      agents: { id: string; budgetMicroUsd: string | null; spentMicroUsd: string; alert: { level: string } }[];
    };
    const budgets = () => trpcQuery<Budgets>("agents.budgets");
    const added = await runCli(["agents", "add", "budget-e2e", "--name", "Budget E2E"], {
      OFFLOAD_DATA_DIR: server.dataDir,
      DATABASE_URL: undefined,
    });
    expect(added.code, added.stderr).toBe(0);
    const key = added.stdout.trimEnd().split("\n").at(-1)!;
    // Every Claude turn costs $0.10 (10,000 input x $5/M + 2,000 output x $25/M on claude-opus-4-6).
    claude.setReply(() => ({ text: "Reviewed.", usage: { input_tokens: 10_000, output_tokens: 2_000 } }));
    const review = () =>
      fetch(`${server.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": key,
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
          "x-offload-task-type": "code-review",
        },
        body: JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 256,
          messages: [{ role: "user", content: "Review PR 7 before we merge it." }],
        }),
      });

    const page = await context.newPage();
    try {
      // The agent's budget, from its page: $0.15 a day, refused when over.
      await openPage(page, "/agents/budget-e2e");
      await page.getByText("Spent on Claude today:").waitFor();
      expect(await page.getByTestId("agent-budget").innerText()).toContain("no daily budget");
      await page.locator('input[name="dailyBudgetUsd"]').fill("-3");
      await page.getByRole("button", { name: "Save limits" }).click();
      // Refused by the server, named, and nothing stored.
      await page.getByText(/^dailyBudgetUsd: a daily Claude budget is at least 0 USD/).waitFor();
      expect((await budgets()).agents.find((a) => a.id === "budget-e2e")!.budgetMicroUsd).toBeNull();
      await page.locator('input[name="dailyBudgetUsd"]').fill("0.15");
      await page.locator('input[name="requestsPerMinute"]').fill("30");
      await page.getByRole("button", { name: "Save limits" }).click();
      await page.getByText("Saved: the agent's next turn follows these limits.").waitFor();
      expect((await budgets()).agents.find((a) => a.id === "budget-e2e")).toMatchObject({
        budgetMicroUsd: "150000",
        spentMicroUsd: "0",
      });

      // Two turns: the first under budget, the second crosses it ($0.20 of $0.15), the third is refused.
      expect((await review()).status).toBe(200);
      expect((await review()).status).toBe(200);
      const refused = await review();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { type: string; message: string } }).error).toMatchObject({
        type: "rate_limit_error",
        message: expect.stringContaining(
          "agent budget-e2e is over its daily Claude budget of $0.15 (spent $0.20 today",
        ),
      });
      // Once the turns are written, the agent page lists them beside the budget.
      await expect
        .poll(
          async () =>
            (await trpcQuery<{ recentTurns: unknown[] }>("fleet.agent", { id: "budget-e2e" })).recentTurns.length,
          {
            timeout: 15_000,
          },
        )
        .toBe(3);
      await page.reload({ waitUntil: "networkidle" });
      await page.getByText(/over budget: its Claude turns are refused/).waitFor();
      expect(await page.getByTestId("agent-budget").innerText()).toMatch(/\$0\.20 of \$0\.15 \(133%\)/);
      await page.screenshot({ path: path.join(screenshotDir, "agent-budget.png"), fullPage: true });

      // The fleet's budget, from the Fleet page: set so that today's spend is 85% of it.
      const spent = Number((await budgets()).fleet.spentMicroUsd);
      expect(spent).toBeGreaterThanOrEqual(200_000);
      const budgetUsd = Math.ceil(spent / 0.85 / 10_000) / 100; // whole cents
      await openPage(page, "/");
      expect(await page.getByTestId("fleet-budget-alert").count()).toBe(0);
      await page.locator('input[name="fleetDailyBudgetUsd"]').fill(String(budgetUsd));
      await page.getByRole("button", { name: "Save", exact: true }).click();
      const alert = page.getByTestId("fleet-budget-alert");
      await alert.waitFor({ state: "visible" });
      expect(await alert.getAttribute("data-level")).toBe("warning");
      expect(await alert.innerText()).toMatch(
        /^The fleet is near its daily Claude budget: \$[\d,.]+ of \$[\d,.]+ spent today \((8\d)%/,
      );
      const { fleet } = await budgets();
      expect(fleet.alert.level).toBe("warning");
      expect(fleet.alert.share).toBeGreaterThanOrEqual(0.8);
      expect(fleet.alert.share).toBeLessThan(1);
      expect(await page.getByTestId("fleet-budget").innerText()).toContain(`(${Math.round(fleet.alert.share * 100)}%)`);
      await page.screenshot({ path: path.join(screenshotDir, "fleet-budget-alert.png"), fullPage: true });

      // Every page shows it.
      for (const p of PAGES) {
        await openPage(page, p.path);
        await page.getByTestId("fleet-budget-alert").waitFor({ state: "visible" });
      }

      // Over 100%: the alert says so.
      // One turn that costs what is left of the fleet's budget and a dollar more (input at $5 per million tokens).
      const left = Number(fleet.budgetMicroUsd) - Number(fleet.spentMicroUsd);
      claude.setReply(() => ({
        text: "Reviewed.",
        usage: { input_tokens: Math.ceil((left + 1_000_000) / 5), output_tokens: 0 },
      }));
      const other = await runCli(["agents", "add", "budget-e2e-2"], {
        OFFLOAD_DATA_DIR: server.dataDir,
        DATABASE_URL: undefined,
      });
      const otherKey = other.stdout.trimEnd().split("\n").at(-1)!;
      const big = await fetch(`${server.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": otherKey, "content-type": "application/json", "x-offload-task-type": "code-review" },
        body: JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 64,
          messages: [{ role: "user", content: "Review it." }],
        }),
      });
      expect(big.status).toBe(200);
      await expect.poll(async () => (await budgets()).fleet.alert.level, { timeout: 10_000 }).toBe("over");
      await openPage(page, "/costs");
      const over = page.getByTestId("fleet-budget-alert");
      await over.waitFor({ state: "visible" });
      expect(await over.getAttribute("data-level")).toBe("over");
      expect(await over.innerText()).toMatch(/^Over the fleet's daily Claude budget: /);
      await page.screenshot({ path: path.join(screenshotDir, "fleet-budget-over.png") });

      // Removed again (0: no fleet budget): no alert.
      await openPage(page, "/");
      await page.locator('input[name="fleetDailyBudgetUsd"]').fill("0");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByText("Fleet budget removed.").waitFor();
      await page.getByTestId("fleet-budget-alert").waitFor({ state: "detached" });
      expect((await budgets()).fleet.budgetMicroUsd).toBeNull();
    } finally {
      await page.close();
    }
  });
});
