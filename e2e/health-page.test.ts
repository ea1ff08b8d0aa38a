// End to end: the Health page against the production build, with Ollama played by a fake server
// in each state (up, degraded, down), as an operator sees it; and the local context panel and the
// context planner, after agents' turns too big for the local context went through the gateway to a
// fake Claude.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import {
  launchBrowser,
  openPage,
  screenshotDir,
  trpcQuery,
  visibleAlerts,
  type Browser,
} from "@/server/testing/browser";

const GB = 1024 ** 3;
let server: StartedServer;
let browser: Browser;
let ollama: FakeOllama;
let claude: FakeAnthropic;

/** A tRPC mutation over HTTP POST (superjson envelope); returns the plain `json` part. */
async function trpcMutation<T>(procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${server.url}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /api/trpc/${procedure}: ${res.status} ${text}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

/** An agent's turn through the gateway, on a local task type, with a prompt of about `tokens` tokens (3.5 characters each). */
async function sendTurn(key: string, taskType: string, tokens: number): Promise<Response> {
  const text = `Read HEARTBEAT.md and the workspace below. ${"workspace context ".repeat(Math.ceil((tokens * 3.5) / 18))}`;
  return fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key, "x-offload-task-type": taskType },
    body: JSON.stringify({
      model: "claude-opus-4-6",
      max_tokens: 4096,
      messages: [{ role: "user", content: text.slice(0, tokens * 3.5) }],
    }),
  });
}

async function check(page: Page, expected: string): Promise<void> {
  await openPage(page, server, "/health");
  await page.getByRole("button", { name: "Check now" }).click();
  await page.locator(`[data-health-status="${expected}"]`).waitFor({ timeout: 15_000 });
  await page.getByTestId("health-badge").getByText(`Ollama ${expected}`).waitFor({ timeout: 20_000 });
}

describe("health page in a browser", () => {
  beforeAll(async () => {
    ollama = await startFakeOllama();
    claude = await startFakeAnthropic();
    server = await startServer({
      env: {
        OLLAMA_HOST: ollama.url,
        OFFLOAD_HEALTH_INTERVAL_S: "2",
        ANTHROPIC_API_KEY: "sk-ant-operator",
        ANTHROPIC_BASE_URL: claude.url,
      },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ollama?.close();
    await claude?.close();
  });

  it("shows what the local context costs in GPU memory and what a larger one would keep off Claude", async () => {
    const page = await browser.context.newPage();
    try {
      ollama.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 9 * GB, sizeVram: 9 * GB, contextLength: 32_768 }]);
      await check(page, "up");

      // Agents' turns too big for the 32,768-token context: two ~31k heartbeats (they fit 40,960 with
      // the 2,048-token reserve) and a ~45k status report (it does not). Claude bills what it read.
      claude.setReply((body) => ({
        text: "HEARTBEAT_OK",
        usage: { input_tokens: Math.ceil(String(body.messages[0].content).length / 3.5), output_tokens: 20 },
      }));
      const { key } = await trpcMutation<{ key: string }>("agents.add", { id: "big-context", name: "Big context" });
      for (const [taskType, tokens] of [
        ["heartbeat", 31_000],
        ["heartbeat", 31_000],
        ["status-report", 45_000],
      ] as const) {
        const res = await sendTurn(key, taskType, tokens);
        expect(res.status).toBe(200);
        expect(res.headers.get("x-offload-lane")).toBe("claude");
        expect(res.headers.get("x-offload-reason")).toContain("exceed the local context of 32,768 tokens");
      }
      type Plan = { forced: { turns: number }[] };
      await expect
        .poll(
          async () => (await trpcQuery<Plan>(server, "health.contextPlan")).forced.reduce((s, f) => s + f.turns, 0),
          {
            timeout: 15_000,
          },
        )
        .toBe(3);

      await openPage(page, server, "/health");
      const panel = page.getByTestId("local-context");
      const model = panel.locator('[data-local-context-model="qwen3:8b"]');
      await model.waitFor();
      expect(await model.getAttribute("data-verdict")).toBe("fits");
      const fact = async (id: string) => (await model.getByTestId(id).innerText()).trim();
      expect(await fact("context-tokens")).toBe("32,768 tokens");
      expect(await fact("kv-cache-type")).toBe("f16");
      // qwen3:8b as Ollama publishes it: 36 layers x 8 KV heads x (128 + 128) x 2 bytes = 147,456 bytes a token.
      expect(await fact("kv-per-token")).toBe("144 KB");
      expect(await model.innerText()).toContain("147,456 bytes: 36 layers × 8 KV heads × (128 + 128) × 2 bytes");
      expect(await fact("kv-total")).toBe("4.5 GB");
      expect(await fact("weights")).toBe("4.8 GB");
      expect(await fact("model-plus-cache")).toBe("9.3 GB of 12.0 GB");
      expect(await model.innerText()).toContain("qwen3 · 8.2B · Q4_K_M · native context 40,960");
      expect(await model.getByTestId("context-fits").innerText()).toContain("Fits, with 2.7 GB to spare");
      expect(await panel.innerText()).toContain("The context is one value per model");
      expect(await panel.innerText()).toContain("Changing it reloads the model in Ollama");
      // No nvidia-smi here: the setting stands in, and the page says so.
      expect(await panel.getByTestId("gpu-from-setting").innerText()).toContain("the gpuVramGb setting (12.0 GB)");

      const plan = page.getByTestId("context-plan");
      expect(await plan.getByTestId("context-plan-summary").innerText()).toBe(
        "Over the last day (since the gateway began recording prompt sizes), 3.0 turns a day of local task types went to Claude only because their prompt and the 2,048-token answer reserve exceeded the 32,768-token context, costing $0.54 a day.",
      );
      const forcedRow = async (id: string) =>
        (await plan.locator(`[data-forced-task-type="${id}"]`).innerText()).split("\t");
      expect(await forcedRow("heartbeat")).toEqual(["Heartbeat processing", "2.0", "$0.31", "33,048 tokens"]);
      expect(await forcedRow("status-report")).toEqual(["Status reporting", "1.0", "$0.23", "47,048 tokens"]);
      // qwen3:8b's native context is 40,960: the planner stops there.
      expect(
        await plan.locator("tr[data-context]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-context"))),
      ).toEqual(["32768", "40960"]);
      const row = plan.locator('tr[data-context="40960"]');
      expect((await row.innerText()).split("\t").map((c) => c.trim())).toEqual([
        "40,960\nHeartbeat processing 2.0",
        "2.0",
        "$0.31",
        "10.5 GB",
        "fits",
      ]);
      expect(await plan.innerText()).toContain(
        "qwen3:8b was trained for 40,960 tokens: larger contexts are not offered.",
      );
      expect(await visibleAlerts(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "health-local-context.png"), fullPage: true });

      // An 8 GB GPU: model and cache will not fit, and the page warns.
      await trpcMutation("system.updateSettings", { gpuVramGb: 8 });
      await openPage(page, server, "/health");
      await model.waitFor();
      expect(await model.getAttribute("data-verdict")).toBe("warn");
      expect(await model.getByTestId("context-warning").innerText()).toContain(
        "qwen3:8b will not fit at 32,768 tokens: model and cache need 9.3 GB, the GPU has 8.0 GB.",
      );
      expect(await plan.locator('tr[data-context="40960"]').getAttribute("data-gpu")).toBe("warn");
      expect(await plan.locator('tr[data-context="40960"] td').last().innerText()).toBe("does not fit");
      await page.screenshot({ path: path.join(screenshotDir, "health-local-context-warning.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: path.join(screenshotDir, "health-local-context-dark.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });

      // A q8_0 cache takes 34/32 bytes an element: 78,336 bytes a token, and it fits again.
      await trpcMutation("system.updateSettings", { kvCacheType: "q8_0" });
      await openPage(page, server, "/health");
      await model.waitFor();
      expect(await model.getAttribute("data-verdict")).toBe("fits");
      expect(await fact("kv-cache-type")).toBe("q8_0");
      expect(await fact("kv-per-token")).toBe("77 KB");
      expect(await fact("kv-total")).toBe("2.4 GB");
      expect(await model.getByTestId("context-warning").count()).toBe(0);
      await trpcMutation("system.updateSettings", { gpuVramGb: 12, kvCacheType: "f16" });
    } finally {
      await page.close();
    }
  });

  it("shows that metering keeps up: nothing waiting, spooled or refused after the turns went through", async () => {
    const page = await browser.context.newPage();
    try {
      await openPage(page, server, "/health");
      const panel = page.getByTestId("metering-panel");
      await panel.getByText("Refused", { exact: true }).waitFor();
      await panel.getByText("no turn refused").waitFor();
      expect(await panel.getByRole("alert").count()).toBe(0);
    } finally {
      await page.close();
    }
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

describe("health page in a browser, with a pool of two Ollama hosts", () => {
  let pool: StartedServer;
  let gpu1: FakeOllama;
  let gpu2: FakeOllama;
  let gpu3: FakeOllama;
  let poolBrowser: Browser;

  beforeAll(async () => {
    gpu1 = await startFakeOllama();
    gpu1.setModels(["qwen3:8b"], [{ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, contextLength: 16_384 }]);
    gpu2 = await startFakeOllama();
    gpu2.failAlways({ kind: "refuse" });
    gpu3 = await startFakeOllama();
    gpu3.setModels(["llama3.2:3b"], []);
    pool = await startServer({
      // A long interval: the page's own polls (Check now) are the ones that count here.
      env: { OLLAMA_HOSTS: `${gpu1.url},${gpu2.url}`, OFFLOAD_HEALTH_INTERVAL_S: "600" },
    });
    poolBrowser = await launchBrowser();
  });
  afterAll(async () => {
    await poolBrowser?.close();
    await pool?.stop();
    await gpu1?.close();
    await gpu2?.close();
    await gpu3?.close();
  });

  it("lists both hosts, one up with its loaded model and one down with the refusal, under a fleet verdict of up", async () => {
    const page = await poolBrowser.context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await openPage(page, pool, "/health");
      await page.getByRole("button", { name: "Check now" }).click();
      await page.locator('[data-health-status="up"]').waitFor({ timeout: 15_000 });
      await page.getByTestId("health-badge").getByText("Ollama up").waitFor({ timeout: 20_000 });
      // The poll Check now asked for is over (the button reads "Checking…" until then).
      await page.getByRole("button", { name: "Check now", exact: true }).waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("health-status").innerText()).toBe("up");
      expect(await page.getByTestId("health-summary").innerText()).toMatch(/^2 Ollama hosts, 1 answering · checked /);
      // The pool is up; the down host is a note of the verdict, named.
      expect(await page.getByTestId("health-reasons").innerText()).toContain(`${gpu2.url}: connection refused`);

      const hosts = page.getByTestId("ollama-hosts");
      expect(await hosts.getByTestId("ollama-hosts-source").innerText()).toMatch(
        /^From OLLAMA_HOSTS in the server's environment/,
      );
      expect(await hosts.getByTestId("ollama-hosts-summary").innerText()).toBe("2 hosts: 1 up, 1 down");
      const list = page.getByRole("list", { name: "Ollama hosts" });
      expect(
        await list
          .locator("li[data-ollama-host]")
          .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-ollama-host"))),
      ).toEqual([gpu1.url, gpu2.url]);

      const up = list.locator(`li[data-ollama-host="${gpu1.url}"]`);
      expect(await up.getAttribute("data-host-status")).toBe("up");
      expect(await up.getByTestId("status-pill").innerText()).toBe("up");
      expect(await up.getByTestId("host-checked").innerText()).toMatch(/^Ollama 0\.14\.2 · answered in \d+ ms$/);
      expect(await up.locator('[data-loaded-model="qwen3:8b"]').innerText()).toMatch(
        /qwen3:8b\s+6\.0 GB on the GPU · context 16,384/,
      );
      expect(await up.innerText()).toContain("6.0 of 12 GB");
      expect(await up.getByTestId("host-installed").innerText()).toBe("Installed: qwen3:8b");

      const down = list.locator(`li[data-ollama-host="${gpu2.url}"]`);
      expect(await down.getAttribute("data-host-status")).toBe("down");
      expect(await down.getByTestId("status-pill").innerText()).toBe("down");
      expect(await down.getByTestId("host-reasons").innerText()).toBe(
        `connection refused at ${gpu2.url}: is Ollama running? (ollama serve)`,
      );
      expect(await down.getByTestId("host-checked").innerText()).toMatch(/^did not answer · checked in \d+ ms$/);
      expect(await down.innerText()).toContain("Unknown while it does not answer.");

      // The models installed on the pool, with the hosts that have them.
      expect(await page.locator('[data-installed-model="qwen3:8b"]').innerText()).toContain(`on ${gpu1.url}`);
      expect(await visibleAlerts(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, "health-pool.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: path.join(screenshotDir, "health-pool-dark.png"), fullPage: true });
      await page.emulateMedia({ colorScheme: "light" });

      // A host added in the setting: listed at once, not polled yet, until Check now.
      const put = await fetch(`${pool.url}/api/trpc/system.updateSettings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { ollamaHosts: [gpu1.url, gpu2.url, gpu3.url] } }),
      });
      expect(put.status).toBe(200);
      await openPage(page, pool, "/health");
      const added = list.locator(`li[data-ollama-host="${gpu3.url}"]`);
      expect(await added.getAttribute("data-host-status")).toBe("not-polled");
      expect(await added.getByTestId("status-pill").innerText()).toBe("not polled yet");
      expect(await hosts.getByTestId("ollama-hosts-source").innerText()).toMatch(/^From the Ollama hosts setting/);
      await page.getByRole("button", { name: "Check now" }).click();
      // gpu3 answers without the local model: in a pool that is a note on the host (the pool is down
      // only when no answering host has it).
      await page.locator(`li[data-ollama-host="${gpu3.url}"][data-host-status="up"]`).waitFor({ timeout: 15_000 });
      expect(await added.getByTestId("host-notes").innerText()).toContain("qwen3:8b is not installed here");
      expect(await hosts.getByTestId("ollama-hosts-summary").innerText()).toBe("3 hosts: 2 up, 1 down");
    } finally {
      await page.close();
    }
  });

  it("shows one host compactly, saying where it comes from", async () => {
    const page = await poolBrowser.context.newPage();
    try {
      const put = await fetch(`${pool.url}/api/trpc/system.updateSettings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { ollamaHosts: [gpu1.url] } }),
      });
      expect(put.status).toBe(200);
      const polled = await fetch(`${pool.url}/api/trpc/health.pollNow`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(polled.status).toBe(200);
      await openPage(page, pool, "/health");
      const card = page.locator(`[data-testid="ollama-hosts"][data-ollama-host="${gpu1.url}"][data-host-status="up"]`);
      await card.waitFor({ timeout: 15_000 });
      expect(await page.getByTestId("health-summary").innerText()).toMatch(
        new RegExp(`^${gpu1.url.replace(/[.]/g, "\\.")} · version 0\\.14\\.2 · checked `),
      );
      expect(await card.innerText()).toContain("From the Ollama hosts setting");
      expect(await card.getByTestId("host-gpu-memory").innerText()).toBe("GPU memory in use: 6.0 of 12 GB");
      // One host: the page's own cards show its models; the pool's list is not there.
      expect(await page.getByRole("list", { name: "Ollama hosts" }).count()).toBe(0);
      expect(await page.locator('[data-loaded-model="qwen3:8b"]').innerText()).toContain("100% on the GPU");
      await page.screenshot({ path: path.join(screenshotDir, "health-one-host.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
