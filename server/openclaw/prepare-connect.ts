// Connect's database half: given an openclaw.json's text, the agents to connect and the keys
// OpenClaw already holds, works out the new config text (one Offload provider per connected
// agent, its model pointed there), creates the Offload agents that are missing, and issues a key
// to each connected agent that has none OpenClaw holds (a key OpenClaw holds and Offload still
// accepts is kept, so re-running connect changes nothing). The file half (backup, .env, writing,
// disconnect) is connect-files.ts, run by the CLI or by the server for the Fleet page.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { parseOpenClawConfig } from "@/server/core/openclaw/read-openclaw-config";
import { findOpenClawAgents } from "@/server/core/openclaw/find-agents";
import { planImport } from "@/server/core/openclaw/plan-import";
import { planConnect } from "@/server/core/openclaw/plan-connect";
import { applyConfigEdits, diffConfig } from "@/server/core/openclaw/apply-edits";
import { keyEnvName, offloadProviderId } from "@/server/core/openclaw/openclaw-names";
import type { ConnectPlan } from "@/server/core/openclaw/openclaw-types";
import { readProviderModels } from "./provider-models";
import { readSettings } from "@/server/db/settings";
import { configuredOllamaHosts } from "@/server/health/ollama-hosts";
import { hashAgentKey, issueAgentKey } from "@/server/agents/agent-key";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { importOpenClawFleet, type ImportResult } from "./import-fleet";

export const prepareConnectInput = z.object({
  text: z.string().max(4_000_000, "config: at most 4 MB"),
  fileName: z.string().max(500).optional(),
  /** OpenClaw agent ids; all agents when absent. */
  agents: z.array(z.string().min(1).max(200)).max(1_000).optional(),
  /** Offload's address as OpenClaw reaches it. */
  baseUrl: z.url({ protocol: /^https?$/, error: "baseUrl: an http(s) URL" }),
  heartbeatDirect: z.boolean().optional(),
  /** Keys OpenClaw's .env holds now, by variable name (only OFFLOAD_KEY_* ones are read). */
  existingKeys: z.record(z.string(), z.string().max(500)).optional(),
  dryRun: z.boolean().optional(),
});
export type PrepareConnectInput = z.input<typeof prepareConnectInput>;

export type PrepareConnectResult = {
  text: string;
  /** False when the file used JSON5-only syntax and was rewritten as plain JSON (the backup keeps it). */
  keptLayout: boolean;
  diff: string;
  plan: ConnectPlan;
  /** New keys by environment variable: for OpenClaw's .env, never for the config (empty on a dry run). */
  keys: Record<string, string>;
  /** Variables whose key OpenClaw already holds and Offload still accepts. */
  keysKept: string[];
  /** Agents that had a key elsewhere and got a new one: the old one stops working. */
  keysReplaced: string[];
  imported: ImportResult | null;
  suggestions: string[];
};

/** Heartbeat prompts larger than the local context, per agent (median of the last 7 days' heartbeat turns). */
async function lightContextSuggestions(
  db: Db,
  plan: ConnectPlan,
  lightContext: Map<string, boolean>,
): Promise<string[]> {
  if (plan.connected.length === 0) return [];
  const settings = await readSettings(db);
  const room = settings.localContextTokens - settings.localAnswerReserveTokens;
  const since = new Date(Date.now() - 7 * 86_400_000);
  const rows = await db.sql.query<{ agentId: string; median: number | null }>(
    `select "agentId", percentile_cont(0.5) within group (order by "promptTokens") as median
     from "Turn" where "taskTypeId" = 'heartbeat' and "promptTokens" is not null and "startedAt" >= $1
       and "agentId" = any($2::text[]) group by 1`,
    [since, plan.connected.map((c) => c.offloadId)],
  );
  return rows
    .filter((r) => r.median !== null && r.median > room)
    .map((r) => {
      const c = plan.connected.find((x) => x.offloadId === r.agentId)!;
      if (lightContext.get(c.openclawId)) return null;
      return `${c.openclawId}: its heartbeats carry about ${Math.round(r.median!).toLocaleString("en-US")} tokens, more than the local context leaves (${room.toLocaleString("en-US")}); set heartbeat.lightContext: true (and isolatedSession: true) so they fit the local model`;
    })
    .filter((s): s is string => s !== null);
}

export async function prepareOpenClawConnect(
  db: Db,
  raw: PrepareConnectInput,
  actor: string,
): Promise<PrepareConnectResult> {
  const input = prepareConnectInput.parse(raw);
  const fileName = input.fileName ?? "openclaw.json";
  const file = parseOpenClawConfig(input.text, fileName);
  const found = findOpenClawAgents(file.config);
  const importPlan = planImport(file);
  const offloadIds = Object.fromEntries(importPlan.agents.map((a) => [a.openclawId, a.id]));
  const unknown = (input.agents ?? []).filter((id) => !(id in offloadIds));
  if (unknown.length)
    throw new OffloadError(
      "BAD_REQUEST",
      `agents: ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in ${fileName} (it has ${Object.keys(offloadIds).join(", ") || "no agents"})`,
      "agents",
    );
  const selected = input.agents ?? Object.keys(offloadIds);
  const claudeModels = found
    .filter(
      (a) =>
        selected.includes(a.id) && a.model && (a.model.primary.kind === "claude" || a.model.primary.kind === "offload"),
    )
    .map((a) => a.model!.primary.model);
  const models = await readProviderModels(db, claudeModels);
  const settings = await readSettings(db);
  const plan = planConnect(file, {
    baseUrl: input.baseUrl.replace(/\/+$/, ""),
    agentIds: selected,
    offloadIds,
    keyEnvNames: Object.fromEntries(selected.map((id) => [id, keyEnvName(offloadIds[id]!)])),
    models: models.rows,
    ...(input.heartbeatDirect
      ? { heartbeatDirect: { model: settings.defaultLocalModel, ollamaBaseUrl: configuredOllamaHosts(settings)[0]! } }
      : {}),
  });
  for (const model of models.unpriced)
    plan.warnings.push(`${model} has no price in Offload: its cost fields are 0 (add a price on the Costs page)`);
  const edited = applyConfigEdits(input.text, plan.edits);

  // The result must read back as OpenClaw will read it, every connected agent on its provider.
  const check = findOpenClawAgents(parseOpenClawConfig(edited.text, fileName).config);
  for (const c of plan.connected) {
    const agent = check.find((a) => a.id === c.openclawId);
    const expected = `${offloadProviderId(c.offloadId)}/${c.model}`;
    if (agent?.model?.primary.ref !== expected)
      throw new OffloadError(
        "CONFLICT",
        `connect would leave ${c.openclawId} on ${agent?.model?.primary.ref ?? "no model"} instead of ${expected}; nothing was changed`,
        "config",
      );
  }

  const result: PrepareConnectResult = {
    text: edited.text,
    keptLayout: edited.keptLayout,
    diff: diffConfig(input.text, edited.text, fileName),
    plan,
    keys: {},
    keysKept: [],
    keysReplaced: [],
    imported: null,
    suggestions: await lightContextSuggestions(
      db,
      plan,
      new Map(found.map((a) => [a.id, a.heartbeat.lightContext === true])),
    ),
  };
  if (input.dryRun || plan.connected.length === 0) return result;

  const connectedIds = plan.connected.map((c) => c.offloadId);
  result.imported = await importOpenClawFleet(db, { text: input.text, fileName, only: connectedIds }, actor);
  const agents = await db.prisma.agent.findMany({
    where: { id: { in: connectedIds } },
    select: { id: true, apiKeyHash: true },
  });
  await db.prisma.$transaction(async (tx) => {
    for (const agent of agents) {
      const variable = keyEnvName(agent.id);
      const held = input.existingKeys?.[variable];
      if (held && agent.apiKeyHash && hashAgentKey(held) === agent.apiKeyHash) {
        result.keysKept.push(variable);
        continue;
      }
      if (agent.apiKeyHash) result.keysReplaced.push(agent.id);
      const issued = issueAgentKey();
      await tx.agent.update({
        where: { id: agent.id },
        data: { apiKeyHash: issued.hash, apiKeyPrefix: issued.prefix, keyRotatedAt: new Date() },
      });
      result.keys[variable] = issued.key;
    }
  });
  invalidateGatewayState();
  return result;
}
