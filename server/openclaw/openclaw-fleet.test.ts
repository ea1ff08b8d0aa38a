// OpenClaw in and out, on both databases: import (preview first, one transaction, pins audited,
// nothing secret kept), connect on real files in a temporary OpenClaw folder (backup, keys in the
// .env and never in the config, idempotent re-runs, dry runs that write nothing), disconnect back
// to the previous models, and export that imports back into the same fleet.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { hashAgentKey } from "@/server/agents/agent-key";
import { addAgent } from "@/server/agents/manage-agents";
import { parseOpenClawConfig } from "@/server/core/openclaw/read-openclaw-config";
import { findOpenClawAgents } from "@/server/core/openclaw/find-agents";
import { importOpenClawFleet, previewOpenClawImport } from "./import-fleet";
import { prepareOpenClawConnect } from "./prepare-connect";
import { connectOpenClawFile, disconnectOpenClawFile, readEnvFile } from "./connect-files";
import { exportOpenClawFleet } from "./export-fleet";
import { recordTurns } from "@/server/db/record-turns";
import { testTurn } from "@/server/testing/turn-fixture";

const BASE_URL = "http://127.0.0.1:3999";

/** A fleet in the newer shape, with comments and trailing commas (JSONC: edited in place), a secret, and one agent of each kind of model. */
const FLEET = `// the operator's fleet
{
  "env": { "vars": { "OPENAI_API_KEY": "sk-openai-secret-123" } },
  "models": {
    "providers": {
      "ollama": { "baseUrl": "http://gpu-box:11434", "api": "ollama", "apiKey": "ollama-local" },
    },
  },
  "agents": {
    "defaults": {
      "model": { "primary": "anthropic/claude-opus-4-6", "fallbacks": ["anthropic/claude-sonnet-4-5"] },
      "heartbeat": { "every": "10m" },
    },
    "entries": {
      // reviews pull requests
      "reviewer": { "name": "Code reviewer" },
      "poller": { "name": "Mailbox poller", "model": "ollama/qwen3:8b", "heartbeat": { "every": "2m" } },
      "writer": { "model": "openai/gpt-5.4" },
    },
  },
}
`;

const agentsOf = (text: string) => findOpenClawAgents(parseOpenClawConfig(text).config);

for (const target of testDatabases()) {
  describe(`OpenClaw import, connect and export on ${target.kind}`, () => {
    let db: Db;
    let dir: string;
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      db = await target.create();
      await seedCatalogue(db);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-openclaw-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("previews, then imports every agent in one go, pins the local one (audited) and keeps no secret", async () => {
      const preview = await previewOpenClawImport(db, { text: FLEET });
      expect(preview.rows.map((r) => [r.id, r.action, r.pin])).toEqual([
        ["reviewer", "create", "none"],
        ["poller", "create", "local"],
        ["writer", "create", "none"],
      ]);
      expect(preview.ollamaOffer).toMatch(/http:\/\/gpu-box:11434/);
      expect(await db.prisma.agent.count()).toBe(0); // a preview stores nothing

      const result = await importOpenClawFleet(db, { text: FLEET }, "Operator");
      expect(result).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
      const agents = await db.prisma.agent.findMany({ orderBy: { id: "asc" } });
      expect(
        agents.map((a) => [a.id, a.name, a.pin, a.localModel, a.claudeModel, a.externalModel, a.heartbeatMinutes]),
      ).toEqual([
        ["poller", "Mailbox poller", "local", "qwen3:8b", "claude-opus-4-6", null, 2],
        // Once one agent has a heartbeat block of its own, OpenClaw runs heartbeats for those agents only.
        ["reviewer", "Code reviewer", "none", "qwen3:8b", "claude-opus-4-6", null, 0],
        ["writer", "writer", "none", "qwen3:8b", "claude-opus-4-6", "openai/gpt-5.4", 0],
      ]);
      expect(agents.every((a) => a.apiKeyHash === null)).toBe(true);
      const audit = await db.prisma.tierChange.findMany();
      expect(audit.map((c) => [c.subjectType, c.subjectId, c.fromValue, c.toValue, c.actor])).toEqual([
        ["agent", "poller", "none", "local", "Operator"],
      ]);
      expect(JSON.stringify({ agents, audit })).not.toMatch(/sk-openai-secret|ollama-local/);

      // Again: nothing changes.
      const again = await importOpenClawFleet(db, { text: FLEET }, "Operator");
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
      expect(await db.prisma.tierChange.count()).toBe(1);
    });

    it("refuses a broken file with its line and column, and stores nothing", async () => {
      const broken = `{\n  agents: {\n    entries: { a: { model: "anthropic/claude-opus-4-6" } \n  }\n`;
      await expect(importOpenClawFleet(db, { text: broken, fileName: "openclaw.json" }, "Operator")).rejects.toThrow(
        /openclaw\.json:\d+:\d+/,
      );
      expect(await db.prisma.agent.count()).toBe(0);
    });

    it("connects through real files: backup, keys in the .env only, idempotent, and disconnects back", async () => {
      const configPath = path.join(dir, "openclaw.json");
      const envFile = path.join(dir, ".env");
      fs.writeFileSync(configPath, FLEET, { mode: 0o600 });
      fs.writeFileSync(envFile, "OPENAI_API_KEY=sk-openai-secret-123\n", { mode: 0o600 });
      const prepare = (input: Parameters<typeof prepareOpenClawConnect>[1]) => prepareOpenClawConnect(db, input, "cli");

      // A dry run writes nothing, anywhere.
      const dry = await connectOpenClawFile(prepare, { configPath, envFile, baseUrl: BASE_URL, dryRun: true });
      expect(dry.diff).toMatch(/\+.*offload-reviewer/);
      expect(fs.readFileSync(configPath, "utf8")).toBe(FLEET);
      expect(fs.readdirSync(dir).sort()).toEqual([".env", "openclaw.json"]);
      expect(await db.prisma.agent.count()).toBe(0);

      const first = await connectOpenClawFile(prepare, { configPath, envFile, baseUrl: BASE_URL });
      expect(first.plan.connected.map((c) => `${c.openclawId} -> ${c.provider}/${c.model}`)).toEqual([
        "reviewer -> offload-reviewer/claude-opus-4-6",
      ]);
      expect(first.plan.skipped.map((s) => s.openclawId).sort()).toEqual(["poller", "writer"]);
      expect(fs.readFileSync(first.backupPath!, "utf8")).toBe(FLEET);
      const connected = fs.readFileSync(configPath, "utf8");
      expect(connected).toContain("// reviews pull requests"); // comments kept
      expect(connected).toContain("${OFFLOAD_KEY_REVIEWER}");
      const reviewer = agentsOf(connected).find((a) => a.id === "reviewer")!;
      expect(reviewer.model?.primary.ref).toBe("offload-reviewer/claude-opus-4-6");
      expect(reviewer.model?.fallbacks?.map((f) => f.ref)).toEqual(["anthropic/claude-sonnet-4-5"]);
      const provider = (parseOpenClawConfig(connected).config as any).models.providers["offload-reviewer"];
      expect(provider).toMatchObject({
        baseUrl: BASE_URL,
        api: "anthropic-messages",
        apiKey: "${OFFLOAD_KEY_REVIEWER}",
      });
      expect(provider.models[0]).toMatchObject({ id: "claude-opus-4-6", cost: { input: 5, output: 25 } });

      // The key: in the .env (0600), other lines kept, valid for the Offload agent; never in the config.
      const held = readEnvFile(envFile);
      const key = held.get("OFFLOAD_KEY_REVIEWER")!;
      expect(key).toMatch(/^ofk_/);
      expect(held.get("OPENAI_API_KEY")).toBe("sk-openai-secret-123");
      expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
      expect(connected).not.toContain(key);
      const stored = await db.prisma.agent.findUniqueOrThrow({ where: { id: "reviewer" } });
      expect(stored.apiKeyHash).toBe(hashAgentKey(key));

      // Again: the same file, the same key, no new backup.
      const second = await connectOpenClawFile(prepare, { configPath, envFile, baseUrl: BASE_URL });
      expect(second.changed).toBe(false);
      expect(second.backupPath).toBeNull();
      expect(second.keysKept).toEqual(["OFFLOAD_KEY_REVIEWER"]);
      expect(fs.readFileSync(configPath, "utf8")).toBe(connected);
      expect(readEnvFile(envFile).get("OFFLOAD_KEY_REVIEWER")).toBe(key);
      expect(await db.prisma.agent.count({ where: { id: "reviewer" } })).toBe(1);

      // Disconnect: the previous model and no Offload provider; the key leaves the .env.
      const undone = disconnectOpenClawFile({ configPath, envFile });
      expect(undone.conflicts).toEqual([]);
      const restored = fs.readFileSync(configPath, "utf8");
      const back = agentsOf(restored);
      expect(back.map((a) => [a.id, a.model?.primary.ref])).toEqual(
        agentsOf(FLEET).map((a) => [a.id, a.model?.primary.ref]),
      );
      expect(restored).not.toContain("offload-");
      expect(readEnvFile(envFile).has("OFFLOAD_KEY_REVIEWER")).toBe(false);
      expect(readEnvFile(envFile).get("OPENAI_API_KEY")).toBe("sk-openai-secret-123");
      expect(() => disconnectOpenClawFile({ configPath, envFile })).toThrow(/not connected by Offload/);
    });

    it("replaces a key OpenClaw does not hold, and names an unknown agent", async () => {
      const configPath = path.join(dir, "openclaw.json");
      const envFile = path.join(dir, ".env");
      fs.writeFileSync(configPath, FLEET);
      await addAgent(db, { id: "reviewer" }); // a key OpenClaw never saw
      const prepare = (input: Parameters<typeof prepareOpenClawConnect>[1]) => prepareOpenClawConnect(db, input, "cli");
      await expect(
        connectOpenClawFile(prepare, { configPath, envFile, baseUrl: BASE_URL, agents: ["reviewer", "nobody"] }),
      ).rejects.toThrow(/agents: nobody is not in openclaw\.json/);
      expect(fs.readFileSync(configPath, "utf8")).toBe(FLEET);
      const result = await connectOpenClawFile(prepare, {
        configPath,
        envFile,
        baseUrl: BASE_URL,
        agents: ["reviewer"],
      });
      expect(result.keysReplaced).toEqual(["reviewer"]);
      expect(result.keysWritten).toEqual(["OFFLOAD_KEY_REVIEWER"]);
    });

    it("suggests lightContext for an agent whose recorded heartbeats do not fit the local context", async () => {
      await importOpenClawFleet(db, { text: FLEET }, "Operator");
      const beat = (promptTokens: number) =>
        testTurn({ agentId: "reviewer", taskTypeId: "heartbeat", lane: "claude", promptTokens });
      await recordTurns(db, [beat(40_000), beat(41_000), beat(39_000)]);
      const result = await prepareOpenClawConnect(db, { text: FLEET, baseUrl: BASE_URL, dryRun: true }, "cli");
      expect(result.suggestions).toEqual([expect.stringMatching(/^reviewer: .*40,000 tokens.*lightContext: true/)]);
      await recordTurns(db, [beat(2_000), beat(2_000), beat(2_000), beat(2_000)]);
      const small = await prepareOpenClawConnect(db, { text: FLEET, baseUrl: BASE_URL, dryRun: true }, "cli");
      expect(small.suggestions).toEqual([]);
    });

    it("exports the fleet as OpenClaw config that imports back into the same fleet, in both shapes", async () => {
      await importOpenClawFleet(db, { text: FLEET }, "Operator");
      await db.prisma.agent.update({ where: { id: "reviewer" }, data: { claudeModel: "claude-sonnet-4-5" } });
      const fleet = async (of: Db) =>
        (await of.prisma.agent.findMany({ orderBy: { id: "asc" } })).map((a) => ({
          id: a.id,
          name: a.name,
          pin: a.pin,
          claudeModel: a.pin === "local" ? null : a.claudeModel,
          localModel: a.pin === "local" ? a.localModel : null,
          externalModel: a.externalModel,
          heartbeatMinutes: a.heartbeatMinutes,
        }));
      for (const shape of ["entries", "list"] as const) {
        const exported = await exportOpenClawFleet(db, { shape, baseUrl: BASE_URL });
        expect(exported.agents).toBe(3);
        const text = JSON.stringify(exported.json);
        expect(text).not.toMatch(/ofk_/);
        const other = await target.create();
        await seedCatalogue(other);
        await importOpenClawFleet(other, { text }, "Operator");
        expect(await fleet(other)).toEqual(await fleet(db));
      }
    });
  });
}
