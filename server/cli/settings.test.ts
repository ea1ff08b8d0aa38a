// `offload settings set` is audited like a change on the Settings page: one TierChange row per
// changed setting, in the CLI's name, with its --note; setting the value a setting has writes nothing,
// and a refused value writes nothing either. On the embedded database (the CLI opens the folder
// itself) and on Postgres when TEST_DATABASE_URL is set. (Through a running server: e2e/settings-page.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/server/db/client";
import { runCli } from "@/server/testing/run-node";
import { testDatabases } from "@/server/testing/test-databases";

const lastLine = (s: string) => s.trimEnd().split("\n").at(-1) ?? "";

type Target = { kind: string; env: () => Promise<Record<string, string | undefined>>; open: () => Promise<Db> };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function targets(): Target[] {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-settings-"));
  dirs.push(dataDir);
  const list: Target[] = [
    {
      kind: "pglite",
      env: async () => ({ OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined }),
      // The CLI has exited and released the folder: the test opens it the same way.
      open: () => openDb({ dataDir, role: "cli" }),
    },
  ];
  const postgres = testDatabases().find((t) => t.kind === "postgres");
  if (postgres?.createEmptyUrl) {
    let url: Promise<string> | undefined;
    const databaseUrl = () => (url ??= postgres.createEmptyUrl!());
    afterAll(() => postgres.cleanup());
    list.push({
      kind: "postgres",
      env: async () => ({ DATABASE_URL: await databaseUrl() }),
      open: async () => openDb({ databaseUrl: await databaseUrl() }),
    });
  }
  return list;
}

for (const target of targets()) {
  describe(`offload settings set, audited, on ${target.kind}`, () => {
    const cli = async (...args: string[]) => runCli(args, await target.env());
    const auditRows = async () => {
      const db = await target.open();
      try {
        return await db.prisma.tierChange.findMany({
          where: { subjectType: "setting" },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        });
      } finally {
        await db.close();
      }
    };

    it("writes one audit row in the CLI's name, with its note", async () => {
      const set = await cli("settings", "set", "localContextTokens", "24576", "--note", "a smaller GPU");
      expect(set.stderr).toBe("");
      expect(set.code).toBe(0);
      expect(lastLine(set.stdout)).toBe("localContextTokens = 24576");
      const patterns = await cli("settings", "set", "heartbeatPatterns", '["^\\\\[fleet heartbeat\\\\]"]');
      expect(patterns.code).toBe(0);
      const rows = await auditRows();
      expect(rows.map((r) => [r.subjectId, r.fromValue, r.toValue, r.actor, r.note])).toEqual([
        ["localContextTokens", "32768", "24576", "cli", "a smaller GPU"],
        ["heartbeatPatterns", "[]", '["^\\\\[fleet heartbeat\\\\]"]', "cli", null],
      ]);
    });

    it("writes nothing when the value is the setting's already, or when it is refused", async () => {
      const same = await cli("settings", "set", "localContextTokens", "24576");
      expect(same.code).toBe(0);
      expect(lastLine(same.stdout)).toBe("localContextTokens = 24576 (unchanged)");
      const bad = await cli("settings", "set", "localContextTokens", "12");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("offload: localContextTokens: at least 2,048 tokens");
      const badPattern = await cli("settings", "set", "heartbeatPatterns", '["(unclosed"]');
      expect(badPattern.code).toBe(1);
      expect(badPattern.stderr).toMatch(/offload: heartbeatPatterns\.0: not a valid regular expression/);
      expect(await auditRows()).toHaveLength(2);
      expect(lastLine((await cli("settings", "get", "localContextTokens")).stdout)).toBe("24576");
    });
  });
}
