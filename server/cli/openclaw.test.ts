// `offload openclaw import|export|connect|disconnect` as an operator runs them, on their own (the
// CLI opens the embedded database): an import previewed then stored, an export that imports back
// into another Offload as the same fleet, a broken file named by line and column, and connect with
// --dry-run and --agents on a config in a folder of its own. The real OpenClaw after connect is in
// e2e/clients/openclaw.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "@/server/testing/run-node";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-cli-openclaw-"));
  dirs.push(dir);
  return dir;
}

const FLEET = `{
  // the older roster shape
  agents: {
    defaults: { model: "anthropic/claude-sonnet-4-5", heartbeat: { every: "15m" } },
    list: [
      { id: "builder", name: "Builder" },
      { id: "watcher", model: { primary: "ollama/qwen3:8b" } },
    ],
  },
}
`;

describe("offload openclaw, without a server", () => {
  const home = tempDir();
  const cli = (dataDir: string, ...args: string[]) =>
    runCli(args, { OFFLOAD_DATA_DIR: dataDir, DATABASE_URL: undefined, HOME: home, OPENCLAW_CONFIG_PATH: undefined });
  const file = path.join(home, "fleet.json5");
  fs.writeFileSync(file, FLEET);

  // Ten CLI runs, each opening an embedded database: 47 s on a busy 2-core host, past the default 60 s at worst.
  it(
    "previews an import, stores it, and exports a fleet that imports back the same",
    { timeout: 180_000 },
    async () => {
      const dataDir = tempDir();
      const preview = await cli(dataDir, "openclaw", "import", file, "--dry-run");
      expect(preview.code, preview.stderr).toBe(0);
      expect(preview.stdout).toMatch(/builder\s+create\s+none\s+qwen3:8b\s+claude-sonnet-4-5\s+-\s+15 min/);
      expect(preview.stdout).toMatch(/watcher\s+create\s+local\s+qwen3:8b/);
      expect(preview.stdout).toContain("Dry run: nothing was stored.");
      expect((await cli(dataDir, "agents", "list")).stdout).toContain("No agents");

      const stored = await cli(dataDir, "openclaw", "import", file);
      expect(stored.code, stored.stderr).toBe(0);
      expect(stored.stdout).toContain("Imported: 2 created, 0 updated, 0 unchanged.");

      for (const shape of ["entries", "list"]) {
        const exported = await cli(dataDir, "openclaw", "export", "--shape", shape, "--url", "http://offload.lan:3000");
        expect(exported.code, exported.stderr).toBe(0);
        expect(exported.stdout).toContain('"baseUrl": "http://offload.lan:3000"');
        expect(exported.stdout).toContain('"apiKey": "${OFFLOAD_KEY_BUILDER}"');
        const out = path.join(home, `export-${shape}.json`);
        fs.writeFileSync(out, exported.stdout);
        const other = tempDir();
        expect((await cli(other, "openclaw", "import", out)).code).toBe(0);
        const list = (dir: string) =>
          cli(dir, "agents", "list", "--json").then((r) =>
            r.stdout
              .trim()
              .split("\n")
              .map((l) => {
                const a = JSON.parse(l) as Record<string, unknown>;
                return [a.id, a.name, a.pin, a.localModel, a.claudeModel, a.heartbeatMinutes];
              }),
          );
        expect(await list(other)).toEqual(await list(dataDir));
      }
    },
  );

  it("refuses a broken file with its line and column, and a missing one by name", async () => {
    const dataDir = tempDir();
    const broken = path.join(home, "broken.json");
    fs.writeFileSync(broken, '{\n  "agents": {\n    "list": [ { "id": "a" } \n}\n');
    const result = await cli(dataDir, "openclaw", "import", broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^offload: broken\.json:\d+:\d+: /m);
    const missing = await cli(dataDir, "openclaw", "import", path.join(home, "nope.json"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.json: ENOENT");
  });

  it("connects only the agents named, with --dry-run writing nothing", async () => {
    const dataDir = tempDir();
    const config = path.join(tempDir(), "openclaw.json");
    fs.writeFileSync(config, FLEET);
    const dry = await cli(
      dataDir,
      "openclaw",
      "connect",
      "--config",
      config,
      "--dry-run",
      "--url",
      "http://127.0.0.1:3000",
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^\+.*offload-builder\/claude-sonnet-4-5/m);
    expect(dry.stdout).toContain("Skipped watcher:");
    expect(fs.readFileSync(config, "utf8")).toBe(FLEET);
    expect(fs.readdirSync(path.dirname(config))).toEqual(["openclaw.json"]);

    const unknown = await cli(dataDir, "openclaw", "connect", "--config", config, "--agents", "nobody");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("agents: nobody is not in openclaw.json");

    const done = await cli(
      dataDir,
      "openclaw",
      "connect",
      "--config",
      config,
      "--agents",
      "builder",
      "--url",
      "http://127.0.0.1:3000",
    );
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/builder\s+builder\s+offload-builder\/claude-sonnet-4-5\s+OFFLOAD_KEY_BUILDER \(new\)/);
    // JSON5-only syntax (unquoted keys): rewritten as JSON, and it says so; the backup keeps the original.
    expect(done.stdout).toContain("rewritten as JSON");
    const backup = fs.readdirSync(path.dirname(config)).find((f) => f.startsWith("openclaw.json.bak-"))!;
    expect(fs.readFileSync(path.join(path.dirname(config), backup), "utf8")).toBe(FLEET);
    expect(fs.readFileSync(path.join(path.dirname(config), ".env"), "utf8")).toMatch(/^OFFLOAD_KEY_BUILDER=ofk_/m);

    const undone = await cli(dataDir, "openclaw", "disconnect", "--config", config);
    expect(undone.code, undone.stderr).toBe(0);
    expect(fs.readFileSync(config, "utf8")).not.toContain("offload-builder");
  });
});
