// The offload CLI, as an operator runs it: on its own (it opens the embedded database) and
// while the server holds the database (it goes through the server).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { testTurn } from "@/server/testing/turn-fixture";
import { openDb, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/db/migrate";
import { recordTurns } from "@/server/db/record-turns";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";

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

  it(
    "sets an agent's budget, requests per minute and over-budget action; a bad value names its field and stores nothing",
    { timeout: 180_000 },
    async () => {
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
    },
  );

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

describe("offload db rebuild-usage and retire-turns, without a server", () => {
  const dataDir = tempDataDir();
  const cli = (...args: string[]) => runCli(args, { OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined });
  const DAY = 86_400_000;
  const today = new Date(new Date().toISOString().slice(0, 10) + "T12:00:00.000Z");
  const dayOf = (daysAgo: number) => new Date(today.getTime() - daysAgo * DAY).toISOString().slice(0, 10);
  /** Opens the folder's database while no command holds it, runs fn, closes it. */
  async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const db = await openDb({ dataDir, role: "cli" });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }
  const totals = (db: Db) =>
    db.sql.query(
      `select to_char("day", 'YYYY-MM-DD') as day, "dimension", "key", "lane"::text, "turns", "costMicroUsd"::text as cost
       from "DailyUsageTotal" order by 1, 2, 3, 4`,
    );
  const daily = (db: Db) =>
    db.sql.query(
      `select to_char("day", 'YYYY-MM-DD') as day, "agentId", "taskTypeId", "lane"::text, "turns", "costMicroUsd"::text as cost
       from "DailyUsage" order by 1, 2, 3, 4`,
    );

  beforeAll(async () => {
    await withDb(async (db) => {
      await applyMigrations(db);
      await seedCatalogue(db);
      await addAgent(db, { id: "loash" });
      // One turn a day for 40 days, and one more today.
      await recordTurns(db, [
        ...Array.from({ length: 40 }, (_, d) => testTurn({ startedAt: new Date(today.getTime() - (d + 1) * DAY) })),
        testTurn({ startedAt: today, lane: "local", servedModel: "qwen3:8b", costMicroUsd: 20n }),
      ]);
    });
  });

  it("recomputes the usage totals of the days asked from the raw turns, and no others", async () => {
    const before = await withDb(async (db) => ({ daily: await daily(db), totals: await totals(db) }));
    expect(before.totals.length).toBeGreaterThan(40);
    // Wrong totals on two days, as a rolling upgrade's older instance leaves a newer rollup.
    await withDb(async (db) => {
      await db.sql.exec(`update "DailyUsage" set "turns" = 7 where "day" in ('${dayOf(3)}', '${dayOf(20)}')`);
      await db.sql.exec(`delete from "DailyUsageTotal" where "day" in ('${dayOf(3)}', '${dayOf(20)}')`);
    });
    const rebuilt = await cli("db", "rebuild-usage", "--from", dayOf(5));
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain(
      `Rebuilt the usage totals of ${dayOf(5)} to ${dayOf(0)} (UTC days) from the raw turns.`,
    );
    const after = await withDb(async (db) => ({ daily: await daily(db), totals: await totals(db) }));
    const wrongDay = (r: Record<string, unknown>) => r.day === dayOf(20);
    expect(after.daily.filter((r) => !wrongDay(r))).toEqual(before.daily.filter((r) => !wrongDay(r)));
    expect(after.daily.find(wrongDay)).toMatchObject({ turns: 7 }); // outside the range: left as it was
    expect(after.totals.filter((r) => !wrongDay(r))).toEqual(before.totals.filter((r) => !wrongDay(r)));
    expect(after.totals.some(wrongDay)).toBe(false);
  });

  it("refuses a bad range naming the field, and changes nothing", async () => {
    const before = await withDb(totals);
    const notADay = await cli("db", "rebuild-usage", "--from", "2026-02-30");
    expect(notADay.code).toBe(1);
    expect(notADay.stderr).toContain("from: from is not a calendar day");
    const backwards = await cli("db", "rebuild-usage", "--from", dayOf(1), "--to", dayOf(9));
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain("to: to is before from");
    const badFormat = await cli("db", "rebuild-usage", "--from", "30/11/2026");
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain("from: from must be a UTC day as YYYY-MM-DD");
    expect((await cli("db", "rebuild-usage")).code).toBe(2);
    expect(await withDb(totals)).toEqual(before);
  });

  it("retires the turns past the retention period at once, keeping the totals, which a rebuild leaves alone", async () => {
    const off = await cli("db", "retire-turns");
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain("turnRetentionDays is 0: every turn is kept, none retired.");
    expect((await cli("settings", "set", "turnRetentionDays", "31")).code).toBe(0);
    const retired = await cli("db", "retire-turns");
    expect(retired.code, retired.stderr).toBe(0);
    const cutover = dayOf(31); // midnight UTC 31 days ago: the turns of days 32 to 40 ago go
    expect(retired.stdout).toContain(`Retired 9 turns from before ${cutover} (UTC)`);
    const before = await withDb(totals);
    const rebuilt = await cli("db", "rebuild-usage", "--from", dayOf(39), "--to", dayOf(1));
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain(`Rebuilt the usage totals of ${cutover} to ${dayOf(1)} (UTC days)`);
    expect(rebuilt.stdout).toContain(
      `Days before ${cutover} have no raw turns left (turnRetentionDays): their totals were kept.`,
    );
    // The retired days keep their totals; the days rebuilt are counted from their turns again.
    const retiredDays = (rows: Record<string, unknown>[]) => rows.filter((r) => String(r.day) < cutover);
    const after = await withDb(totals);
    expect(retiredDays(before).length).toBeGreaterThan(10);
    expect(retiredDays(after)).toEqual(retiredDays(before));
    expect(after.filter((r) => r.day === dayOf(20)).length).toBeGreaterThan(0);
    expect(await withDb((db) => db.prisma.turn.count())).toBe(32);
  });
});
