// The offload CLI, as an operator runs it: on its own (it opens the embedded database) and
// while the server holds the database (it goes through the server).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";
import { startServer, type StartedServer } from "@/server/testing/start-server";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-"));
  dirs.push(dir);
  return dir;
}
const lastLine = (s: string) => s.trimEnd().split("\n").at(-1) ?? "";

describe("offload agents, without a server", () => {
  const dataDir = tempDataDir();
  const cli = (...args: string[]) => runCli(args, { OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined });

  it("adds an agent and prints its key alone on the last line", async () => {
    const result = await cli("agents", "add", "scout-1", "--name", "Scout", "--pin", "local");
    expect(result.stderr).not.toMatch(/error|lock/i);
    expect(result.code).toBe(0);
    expect(lastLine(result.stdout)).toMatch(/^ofk_[A-Za-z0-9_-]{32}$/);
  });

  it("lists agents (table and JSON lines)", async () => {
    const table = await cli("agents", "list");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/scout-1\s+Scout\s+local\s+qwen3:8b\s+claude-opus-4-6\s+ofk_/);
    const json = await cli("agents", "list", "--json");
    expect(JSON.parse(lastLine(json.stdout))).toMatchObject({ id: "scout-1", name: "Scout", pin: "local" });
  });

  it("refuses an existing id and a non-slug id with a clear error and writes nothing", async () => {
    const dup = await cli("agents", "add", "scout-1", "--name", "Changed");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("offload: agent scout-1 already exists");
    const bad = await cli("agents", "add", "Scout One");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("offload: id: agent id must be a slug");
    const json = await cli("agents", "list", "--json");
    const agents = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; name: string });
    expect(agents).toEqual([expect.objectContaining({ id: "scout-1", name: "Scout" })]);
  });

  it("rotates a key and removes an agent", async () => {
    const rotated = await cli("agents", "rotate-key", "scout-1");
    expect(rotated.code).toBe(0);
    expect(lastLine(rotated.stdout)).toMatch(/^ofk_/);
    const removed = await cli("agents", "remove", "scout-1");
    expect(removed.code).toBe(0);
    expect((await cli("agents", "list")).stdout).not.toContain("scout-1");
    const again = await cli("agents", "remove", "scout-1");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("no agent scout-1");
  });

  it("sets an agent's budget, requests per minute and over-budget action; a bad value names its field and stores nothing", async () => {
    const added = await cli(
      "agents",
      "add",
      "budgeted",
      "--budget-usd",
      "5",
      "--rpm",
      "60",
      "--over-budget",
      "downgrade",
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("daily Claude budget $5.00 (over it: downgrade), 60 requests/min");
    const limits = async () =>
      (await cli("agents", "list", "--json")).stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { id: string; dailyBudgetUsd: number | null; requestsPerMinute: number | null })
        .find((a) => a.id === "budgeted")!;
    expect(await limits()).toMatchObject({ dailyBudgetUsd: 5, requestsPerMinute: 60, overBudget: "downgrade" });
    expect((await cli("agents", "list")).stdout).toMatch(/budgeted .* \$5\.00 downgrade\s+60\n/);

    const negative = await cli("agents", "update", "budgeted", "--budget-usd=-1", "--rpm", "10");
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain("offload: dailyBudgetUsd: a daily Claude budget is at least 0 USD");
    const fractional = await cli("agents", "update", "budgeted", "--rpm", "1.5");
    expect(fractional.code).toBe(1);
    expect(fractional.stderr).toContain("offload: requestsPerMinute: requests per minute is a whole number");
    expect((await cli("agents", "update", "budgeted", "--over-budget", "shrug")).code).toBe(2);
    expect((await cli("agents", "update", "budgeted", "--budget-usd", "lots")).code).toBe(2);
    expect((await cli("agents", "update", "budgeted")).code).toBe(2);
    expect(await limits()).toMatchObject({ dailyBudgetUsd: 5, requestsPerMinute: 60, overBudget: "downgrade" });

    const updated = await cli(
      "agents",
      "update",
      "budgeted",
      "--budget-usd",
      "0.25",
      "--rpm",
      "none",
      "--over-budget",
      "refuse",
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain(
      "Updated agent budgeted: daily Claude budget $0.25 (over it: refuse), no request limit.",
    );
    expect(await limits()).toMatchObject({ dailyBudgetUsd: 0.25, requestsPerMinute: null, overBudget: "refuse" });
  });

  it("answers usage errors with exit code 2", async () => {
    expect((await cli("agents", "frobnicate")).code).toBe(2);
    expect((await cli("nonsense")).code).toBe(2);
    expect((await cli("agents", "add", "x", "--pin", "gpu")).code).toBe(2);
  });
});

describe("offload agents, while the server holds the embedded database", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it("goes through the running server and never shows a lock error", async () => {
    const env = { OFFLOAD_DATA_DIR: server.dataDir, DATABASE_URL: undefined };
    const added = await runCli(["agents", "add", "relay-7", "--pin", "claude"], env);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const key = lastLine(added.stdout);
    expect(key).toMatch(/^ofk_/);
    const list = await runCli(["agents", "list"], env);
    expect(list.code).toBe(0);
    for (const id of ["relay-7", "worker-1", "flere-imsaho", "loash", "gcu", "ops"]) expect(list.stdout).toContain(id);
    const dup = await runCli(["agents", "add", "relay-7"], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("agent relay-7 already exists");
    // The dashboard API shows the agent the CLI added.
    const res = await fetch(`${server.url}/api/trpc/agents.list`);
    expect(await res.text()).toContain("relay-7");
  });
});

describe("offload settings, without a server", () => {
  const dataDir = tempDataDir();
  const cli = (...args: string[]) => runCli(args, { OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined });

  it("shows every setting, or one as JSON", async () => {
    const all = await cli("settings", "get");
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/localContextTokens\s+32768/);
    expect(all.stdout).toMatch(/heartbeatPatterns\s+\[\]/);
    const one = await cli("settings", "get", "localKeepAliveMinutes");
    expect(one.code).toBe(0);
    expect(lastLine(one.stdout)).toBe("30");
  });

  it("changes a setting, reading the value as JSON or text", async () => {
    const set = await cli("settings", "set", "localContextTokens", "24576");
    expect(set.code).toBe(0);
    expect(lastLine(set.stdout)).toBe("localContextTokens = 24576");
    const patterns = await cli("settings", "set", "heartbeatPatterns", '["^ping the fleet$"]');
    expect(patterns.code).toBe(0);
    const model = await cli("settings", "set", "defaultLocalModel", "qwen3:14b");
    expect(lastLine(model.stdout)).toBe('defaultLocalModel = "qwen3:14b"');
    expect(lastLine((await cli("settings", "get", "localContextTokens")).stdout)).toBe("24576");
    expect(lastLine((await cli("settings", "get", "heartbeatPatterns")).stdout)).toBe('["^ping the fleet$"]');
  });

  it("refuses a bad value naming the setting and keeps the old one; an unknown key is a usage error", async () => {
    const bad = await cli("settings", "set", "localContextTokens", "12");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/offload: localContextTokens: /);
    expect(lastLine((await cli("settings", "get", "localContextTokens")).stdout)).toBe("24576");
    const badPattern = await cli("settings", "set", "heartbeatPatterns", '["(unclosed"]');
    expect(badPattern.code).toBe(1);
    expect(badPattern.stderr).toMatch(/heartbeatPatterns/);
    const unknown = await cli("settings", "set", "nope", "1");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("offload: unknown setting: nope");
    const mappings = await cli("settings", "set", "modelMappings", "[]");
    expect(mappings.code).toBe(1);
    expect(mappings.stderr).toMatch(/modelMappings: change model mappings with/);
  });
});
