// An OpenClaw fleet into Offload: the agents of an openclaw.json (any roster shape), with their
// models and heartbeat intervals. The preview says what would change and changes nothing; the
// import applies it in one transaction (all agents or none), audits pin changes like a move on the
// tier board, and never stores or logs anything secret from the file (the plan holds none).
// Imported agents get no key: `connect` issues them, or `offload agents rotate-key`.
import type { Db } from "@/server/db/client";
import { configuredOllamaHosts, ollamaHostsSource } from "@/server/health/ollama-hosts";
import type { Settings } from "@/server/core/settings-defaults";
import { parseOpenClawConfig } from "@/server/core/openclaw/read-openclaw-config";
import { planImport } from "@/server/core/openclaw/plan-import";
import type { ImportedAgent, ImportPlan } from "@/server/core/openclaw/openclaw-types";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { readSettings } from "@/server/db/settings";

export type ImportInput = {
  text: string;
  fileName?: string;
  /** Offload agent ids: import only these of the file's agents (connect imports the ones it connects). */
  only?: string[];
};

/** What importing one agent changes: `create`, `update` (with the fields that differ) or `same`. */
export type ImportRow = ImportedAgent & {
  action: "create" | "update" | "same";
  changes: string[];
  /** The Offload models the agent ends up with (the ones it already had when the file names none). */
  effective: { localModel: string; claudeModel: string; heartbeatMinutes: number };
};

export type ImportPreview = {
  rows: ImportRow[];
  warnings: string[];
  /** OpenClaw's Ollama, when it differs from the one Offload uses: how to point Offload at it. */
  ollamaOffer: string | null;
};

type ExistingAgent = {
  id: string;
  name: string;
  pin: "none" | "local" | "claude";
  localModel: string;
  claudeModel: string;
  heartbeatMinutes: number;
  externalModel: string | null;
  removedAt: Date | null;
};

function ollamaOffer(plan: ImportPlan, settings: Settings): string | null {
  if (!plan.ollamaBaseUrl) return null;
  const same = (a: string) => a.replace(/\/+$/, "").toLowerCase();
  const pool = configuredOllamaHosts(settings);
  if (pool.some((h) => same(h) === same(plan.ollamaBaseUrl!))) return null;
  const uses = pool.join(", ");
  switch (ollamaHostsSource(settings)) {
    case "setting":
      return `OpenClaw's Ollama is ${plan.ollamaBaseUrl}; Offload uses ${uses} (the ollamaHosts setting). Add ${plan.ollamaBaseUrl} on the Settings page to use OpenClaw's.`;
    case "OLLAMA_HOSTS":
      return `OpenClaw's Ollama is ${plan.ollamaBaseUrl}; Offload uses ${uses} (OLLAMA_HOSTS). Add ${plan.ollamaBaseUrl} to OLLAMA_HOSTS, or to the ollamaHosts setting on the Settings page, to use OpenClaw's.`;
    default:
      return process.env.OLLAMA_HOST?.trim()
        ? `OpenClaw's Ollama is ${plan.ollamaBaseUrl}; Offload uses ${uses} (OLLAMA_HOST). Set OLLAMA_HOST=${plan.ollamaBaseUrl} and restart Offload, or add it to the ollamaHosts setting, to use OpenClaw's.`
        : `OpenClaw's Ollama is ${plan.ollamaBaseUrl}; Offload has no OLLAMA_HOST and uses ${uses}. Start Offload with OLLAMA_HOST=${plan.ollamaBaseUrl}, or add it to the ollamaHosts setting, to use it.`;
  }
}

function compare(
  agent: ImportedAgent,
  existing: ExistingAgent | undefined,
  defaults: { localModel: string; claudeModel: string },
): ImportRow {
  const effective = {
    localModel: agent.localModel ?? existing?.localModel ?? defaults.localModel,
    claudeModel: agent.claudeModel ?? existing?.claudeModel ?? defaults.claudeModel,
    // null: OpenClaw runs no recurring heartbeat for this agent (its own rule of which agents get one).
    heartbeatMinutes: agent.heartbeatMinutes ?? 0,
  };
  if (!existing || existing.removedAt) return { ...agent, action: "create", changes: [], effective };
  const changes: string[] = [];
  const differs = (field: string, from: unknown, to: unknown) => {
    if (from !== to) changes.push(`${field}: ${String(from ?? "none")} -> ${String(to ?? "none")}`);
  };
  differs("name", existing.name, agent.name);
  // An import pins local agents; it never unpins one the operator pinned (to Claude or local) by hand.
  if (agent.pin === "local") differs("pin", existing.pin, "local");
  differs("local model", existing.localModel, effective.localModel);
  differs("Claude model", existing.claudeModel, effective.claudeModel);
  differs("heartbeat minutes", existing.heartbeatMinutes, effective.heartbeatMinutes);
  differs("external model", existing.externalModel, agent.externalModel);
  return { ...agent, action: changes.length ? "update" : "same", changes, effective };
}

async function preview(
  db: Db,
  input: ImportInput,
): Promise<{ preview: ImportPreview; existing: Map<string, ExistingAgent> }> {
  const parsed = planImport(parseOpenClawConfig(input.text, input.fileName ?? "openclaw.json"));
  const plan = input.only ? { ...parsed, agents: parsed.agents.filter((a) => input.only!.includes(a.id)) } : parsed;
  const [rows, settings] = await Promise.all([
    db.prisma.agent.findMany({
      where: { id: { in: plan.agents.map((a) => a.id) } },
      select: {
        id: true,
        name: true,
        pin: true,
        localModel: true,
        claudeModel: true,
        heartbeatMinutes: true,
        externalModel: true,
        removedAt: true,
      },
    }),
    readSettings(db),
  ]);
  const existing = new Map(rows.map((r) => [r.id, r]));
  const defaults = { localModel: settings.defaultLocalModel, claudeModel: settings.defaultClaudeModel };
  return {
    preview: {
      rows: plan.agents.map((a) => compare(a, existing.get(a.id), defaults)),
      warnings: plan.warnings,
      ollamaOffer: ollamaOffer(plan, settings),
    },
    existing,
  };
}

/** What an import of this file would do, changing nothing. A file that does not parse is a 400 naming line and column. */
export async function previewOpenClawImport(db: Db, input: ImportInput): Promise<ImportPreview> {
  return (await preview(db, input)).preview;
}

export type ImportResult = ImportPreview & { created: number; updated: number; unchanged: number };

/** Imports the file's agents: creates the new ones (without a key), updates the others; one transaction. */
export async function importOpenClawFleet(db: Db, input: ImportInput, actor: string): Promise<ImportResult> {
  const { preview: result, existing } = await preview(db, input);
  await db.prisma.$transaction(async (tx) => {
    for (const row of result.rows) {
      if (row.action === "same") continue;
      const before = existing.get(row.id);
      const fields = {
        name: row.name,
        localModel: row.effective.localModel,
        claudeModel: row.effective.claudeModel,
        heartbeatMinutes: row.effective.heartbeatMinutes,
        externalModel: row.externalModel,
      };
      if (row.action === "create") {
        const data = { ...fields, pin: row.pin, role: "openclaw agent", apiKeyHash: null, apiKeyPrefix: null };
        if (before) await tx.agent.update({ where: { id: row.id }, data: { ...data, removedAt: null } });
        else await tx.agent.create({ data: { id: row.id, ...data } });
      } else {
        const pin = row.pin === "local" ? "local" : before!.pin;
        await tx.agent.update({ where: { id: row.id }, data: { ...fields, pin } });
      }
      const fromPin = before && !before.removedAt ? before.pin : "none";
      if (row.pin === "local" && fromPin !== "local") {
        await tx.tierChange.create({
          data: {
            subjectType: "agent",
            subjectId: row.id,
            fromValue: fromPin,
            toValue: "local",
            actor,
            note: `OpenClaw import: its primary model is ollama/${row.localModel}`,
          },
        });
      }
    }
  });
  invalidateGatewayState();
  const count = (action: ImportRow["action"]) => result.rows.filter((r) => r.action === action).length;
  return { ...result, created: count("create"), updated: count("update"), unchanged: count("same") };
}
