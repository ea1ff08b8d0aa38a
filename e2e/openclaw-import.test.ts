// End to end: the Fleet page's OpenClaw panel in headless Chromium against the production build.
// The operator uploads an openclaw.json5 (keyed roster, comments, three agents: Claude, Ollama, GPT),
// sees per agent what importing it would do, imports it and finds the agents in the fleet list (the
// Ollama one pinned local); a file that does not parse shows where, and nothing is imported. Then
// connects a config file on the server's machine: the preview's diff, the write (backup, the key in
// the .env beside it, 0600, never on the page) and the disconnect that puts it back.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
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

const FIXTURE = path.join(import.meta.dirname, "fixtures", "openclaw.json5");
/** A roster missing a comma after `builder` (line 4): JSON5 stops at `tester`, line 5, column 7. */
const BROKEN_TEXT = `{
  agents: {
    entries: {
      builder: { model: "anthropic/claude-opus-4-6" }
      tester: { model: "ollama/qwen3:8b" },
    },
  },
}
`;
/** The made-up provider key in the fixture: never on the page. */
const FIXTURE_SECRET = "ollama-fixture-secret-1f3a";

/** The same fleet as OpenClaw's own config usually is: JSON with comments and trailing commas, edited in place. */
const CONFIG_TEXT = `// ~/.openclaw/openclaw.json
{
  "gateway": { "port": 18789 },
  "models": {
    "providers": {
      "ollama": {
        "baseUrl": "http://gpu-box.lan:11434", // native Ollama API, no /v1
        "api": "ollama",
        "apiKey": "${FIXTURE_SECRET}",
      },
    },
  },
  "agents": {
    "defaults": {
      "model": { "primary": "anthropic/claude-opus-4-6" },
      "heartbeat": { "every": "10m" },
    },
    "entries": {
      // Thinks hard: Claude.
      "architect": { "name": "Architect", "model": "anthropic/claude-opus-4-6" },
      "scout": { "name": "Scout", "model": "ollama/qwen3:8b" },
      "ops": { "name": "Ops", "model": { "primary": "openai/gpt-5.4" } },
    },
  },
}
`;

type Agent = { id: string; name: string; pin: string; localModel: string; claudeModel: string };
type Overview = { agents: Agent[] };

let server: StartedServer;
let browser: Browser;
let folder: string;

const overview = () => trpcQuery<Overview>(server, "fleet.overview");

/** The Fleet page with the OpenClaw panel unfolded. */
async function openPanel(page: Page) {
  await openPage(page, server, "/");
  const panel = page.getByTestId("openclaw-panel");
  await panel.locator("summary").click();
  await panel.getByLabel("OpenClaw config file").waitFor({ state: "visible" });
  return panel;
}

describe("OpenClaw import and connect on the Fleet page", () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "offload-openclaw-e2e-"));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("previews an openclaw.json5 per agent, imports it and shows the agents in the fleet, the local one pinned", async () => {
    const before = await overview();
    expect(before.agents.map((a) => a.id)).not.toContain("architect");
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => void errors.push(e.message));
    try {
      const panel = await openPanel(page);
      await panel.getByLabel("OpenClaw config file").setInputFiles(FIXTURE);
      const table = panel.getByRole("table", { name: "Import preview" });
      await table.waitFor({ state: "visible" });

      const row = (id: string) => table.locator(`tr[data-import-agent="${id}"]`);
      const cell = (id: string, col: string) => row(id).locator(`td[data-col="${col}"]`).innerText();
      expect(await table.locator("tbody tr").count()).toBe(3);
      expect(await cell("architect", "action")).toBe("create");
      expect(await cell("architect", "claude-model")).toBe("claude-opus-4-6");
      expect(await cell("architect", "heartbeat")).toBe("10 min");
      expect(await cell("scout", "action")).toBe("create");
      expect(await cell("scout", "pin")).toBe("local");
      expect(await cell("scout", "local-model")).toBe("qwen3:8b");
      // ops is one of the demo fleet's agents: updated, with what changes.
      expect(await cell("ops", "action")).toBe("update");
      expect(await cell("ops", "external-model")).toBe("openai/gpt-5.4");
      const changes = await cell("ops", "changes");
      expect(changes).toContain("external model: none -> openai/gpt-5.4");
      expect(changes).toContain("heartbeat minutes: 5 -> 10");
      // OpenClaw's Ollama is another host than Offload's: the page says how to use it.
      expect(await panel.getByTestId("ollama-offer").innerText()).toContain("http://gpu-box.lan:11434");
      // A preview stores nothing, and nothing secret from the file reaches the page.
      expect((await overview()).agents.map((a) => a.id)).not.toContain("architect");
      expect(await page.content()).not.toContain(FIXTURE_SECRET);
      expect(await visibleAlerts(page)).toEqual([]);
      await panel.screenshot({ path: path.join(screenshotDir, "openclaw-import-preview.png") });

      await panel.getByRole("button", { name: "Import 3 agents" }).click();
      await panel
        .getByRole("status")
        .filter({ hasText: "Imported: 2 created, 1 updated, 0 unchanged." })
        .waitFor({ state: "visible" });

      // The fleet list refreshes without a reload: the new agents, scout pinned local.
      const fleetRow = (id: string) => page.locator(`tr[data-agent-id="${id}"]`);
      await fleetRow("architect").getByText("Architect", { exact: true }).waitFor({ state: "visible" });
      await fleetRow("scout").getByText("Scout", { exact: true }).waitFor({ state: "visible" });
      expect(await fleetRow("scout").locator("td").nth(1).innerText()).toBe("local");
      expect(await fleetRow("architect").locator("td").nth(1).innerText()).toBe("per task");
      const agents = new Map((await overview()).agents.map((a) => [a.id, a]));
      expect(agents.get("scout")).toMatchObject({ pin: "local", localModel: "qwen3:8b" });
      expect(agents.get("architect")).toMatchObject({ pin: "none", claudeModel: "claude-opus-4-6" });
      expect(await page.content()).not.toContain(FIXTURE_SECRET);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows where a broken file fails to parse, and imports nothing", async () => {
    const before = (await overview()).agents.map((a) => a.id).sort();
    const broken = path.join(folder, "openclaw-broken.json5");
    fs.writeFileSync(broken, BROKEN_TEXT);
    const page = await browser.context.newPage();
    try {
      const panel = await openPanel(page);
      await panel.getByLabel("OpenClaw config file").setInputFiles(broken);
      const alert = panel.getByRole("alert");
      await alert.waitFor({ state: "visible" });
      const text = await alert.innerText();
      expect(text).toContain("openclaw-broken.json5, line 5, column 7");
      expect(text).toContain("Nothing was imported");
      expect(await panel.getByRole("table", { name: "Import preview" }).count()).toBe(0);
      expect(await panel.getByRole("button", { name: /^Import \d+ agents?$/ }).count()).toBe(0);
      expect((await overview()).agents.map((a) => a.id).sort()).toEqual(before);

      // The same through the paste area.
      await panel.getByLabel("Or paste its text").fill(BROKEN_TEXT);
      await panel.getByRole("button", { name: "Preview pasted config" }).click();
      await panel.getByRole("alert").filter({ hasText: "line 5, column 7" }).waitFor({ state: "visible" });
      expect((await overview()).agents.map((a) => a.id).sort()).toEqual(before);
    } finally {
      await page.close();
    }
  });

  it("connects a config file: the diff first, then the backup, the key in the .env (0600, never shown); disconnect puts it back", async () => {
    const configPath = path.join(folder, "openclaw.json");
    const original = CONFIG_TEXT;
    fs.writeFileSync(configPath, original, { mode: 0o644 });
    const envFile = path.join(folder, ".env");

    const page = await browser.context.newPage();
    try {
      const panel = await openPanel(page);
      const pathField = panel.getByLabel("Config path");
      expect(await pathField.getAttribute("placeholder")).toBe("~/.openclaw/openclaw.json");

      // A path the server cannot take is named before anything is sent; a missing file is named by the server.
      await pathField.fill("openclaw.json");
      await panel.getByRole("button", { name: "Preview", exact: true }).click();
      await panel.getByRole("alert").filter({ hasText: "Config path: an absolute path" }).waitFor();
      expect(await pathField.getAttribute("aria-invalid")).toBe("true");
      await pathField.fill(path.join(folder, "missing.json"));
      await panel.getByRole("button", { name: "Preview", exact: true }).click();
      await panel.getByRole("alert").filter({ hasText: "no such file" }).waitFor();
      expect(await panel.getByRole("alert").innerText()).toContain("missing.json");

      // The preview: the diff with the agent's own Offload provider; nothing written.
      await pathField.fill(configPath);
      expect(await panel.getByRole("button", { name: "Connect", exact: true }).isDisabled()).toBe(true);
      await panel.getByRole("button", { name: "Preview", exact: true }).click();
      const diff = panel.getByLabel("Changes to the config");
      await diff.waitFor({ state: "visible" });
      const diffText = await diff.innerText();
      expect(diffText).toMatch(/^\+.*offload-architect/m);
      expect(diffText).toMatch(/^-.*anthropic\/claude-opus-4-6/m);
      expect(diffText).not.toContain(FIXTURE_SECRET);
      expect(await panel.locator('tr[data-connect-agent="architect"]').innerText()).toContain(
        "offload-architect/claude-opus-4-6",
      );
      const skipped = await panel.getByRole("list", { name: "Skipped" }).innerText();
      expect(skipped).toContain("scout");
      expect(skipped).toContain("ops");
      // The agents found, to choose among: architect chosen, the skipped ones not choosable.
      expect(await panel.getByRole("checkbox", { name: "architect" }).isChecked()).toBe(true);
      expect(await panel.getByRole("checkbox", { name: /^scout/ }).isDisabled()).toBe(true);
      expect(fs.readFileSync(configPath, "utf8")).toBe(original);
      expect(fs.existsSync(envFile)).toBe(false);
      expect(await visibleAlerts(page)).toEqual([]);
      await panel.screenshot({ path: path.join(screenshotDir, "openclaw-connect-preview.png") });

      // Connect writes it.
      await panel.getByRole("button", { name: "Connect", exact: true }).click();
      const written = panel.getByTestId("connect-written");
      await written.waitFor({ state: "visible" });
      const connected = fs.readFileSync(configPath, "utf8");
      expect(connected).toContain("// Thinks hard: Claude."); // edited in place, comments kept
      expect(fs.statSync(configPath).mode & 0o777).toBe(0o644);
      const config = JSON5.parse(connected) as {
        agents: { entries: Record<string, { model: unknown }> };
        models: { providers: Record<string, { apiKey?: string; baseUrl?: string }> };
      };
      expect(config.agents.entries.architect!.model).toBe("offload-architect/claude-opus-4-6");
      expect(config.agents.entries.scout!.model).toBe("ollama/qwen3:8b");
      expect(config.models.providers["offload-architect"]).toMatchObject({
        apiKey: "${OFFLOAD_KEY_ARCHITECT}",
        baseUrl: server.url,
      });
      const env = fs.readFileSync(envFile, "utf8");
      const key = /^OFFLOAD_KEY_ARCHITECT=(\S+)$/m.exec(env)?.[1];
      expect(key).toMatch(/^ofk_/);
      expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
      const backups = fs.readdirSync(folder).filter((f) => f.startsWith("openclaw.json.bak-"));
      expect(backups).toHaveLength(1);
      expect(fs.readFileSync(path.join(folder, backups[0]!), "utf8")).toBe(original);
      expect(await panel.getByTestId("connect-backup").innerText()).toBe(path.join(folder, backups[0]!));
      expect(await panel.getByTestId("connect-keys").innerText()).toContain("OFFLOAD_KEY_ARCHITECT");
      const html = await page.content();
      expect(html).not.toContain(key!);
      expect(html).not.toContain(FIXTURE_SECRET);
      // The key works for the agent at the gateway.
      const routed = await fetch(`${server.url}/api/v1/route`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ taskType: "heartbeat" }),
      });
      expect(routed.status).toBe(200);
      expect(await visibleAlerts(page)).toEqual([]);
      await panel.screenshot({ path: path.join(screenshotDir, "openclaw-connected.png") });

      // Disconnect: its own preview, then the config as it was and the key gone from the .env.
      expect(await panel.getByRole("button", { name: "Disconnect", exact: true }).isDisabled()).toBe(true);
      await panel.getByRole("button", { name: "Preview disconnect" }).click();
      const back = panel.getByLabel("Changes to the config");
      await back.waitFor({ state: "visible" });
      expect(await back.innerText()).toMatch(/^-.*offload-architect/m);
      expect(JSON5.parse(fs.readFileSync(configPath, "utf8"))).toEqual(config);
      await panel.getByRole("button", { name: "Disconnect", exact: true }).click();
      await panel.getByRole("status").filter({ hasText: "Disconnected" }).waitFor({ state: "visible" });
      const after = JSON5.parse(fs.readFileSync(configPath, "utf8")) as typeof config;
      expect(after.agents.entries.architect!.model).toBe("anthropic/claude-opus-4-6");
      expect(after.models.providers["offload-architect"]).toBeUndefined();
      expect(fs.readFileSync(configPath, "utf8")).toContain("// Thinks hard: Claude.");
      expect(fs.readFileSync(envFile, "utf8")).not.toContain("OFFLOAD_KEY_ARCHITECT");
      expect(await page.content()).not.toContain(key!);
    } finally {
      await page.close();
    }
  });
});
