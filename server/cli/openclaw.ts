// `offload openclaw connect|disconnect|import|export`: an OpenClaw fleet in and Offload's routing
// back out, one command each. The CLI reads and writes OpenClaw's files itself (they are on the
// operator's machine); the database half goes through the admin API like every other command.
import fs from "node:fs";
import path from "node:path";
import type { Env } from "@/server/process/env";
import { connectOpenClawFile, disconnectOpenClawFile, resolveOpenClawPaths } from "@/server/openclaw/connect-files";
import { keyEnvName } from "@/server/core/openclaw/openclaw-names";
import { UsageError, parse, table, withAdmin } from "./cli-support";

export const OPENCLAW_USAGE = `  openclaw connect [--config F] [--env-file F] [--agents all|ID,...] [--url URL] [--heartbeat-direct] [--dry-run]
                                  point OpenClaw agents at Offload: one provider per agent (its key in OpenClaw's
                                  .env as OFFLOAD_KEY_<AGENT>), a backup of the config first, the diff printed;
                                  --dry-run prints the diff only. Default config: $OPENCLAW_CONFIG_PATH or
                                  ~/.openclaw/openclaw.json; --url: Offload as OpenClaw reaches it
  openclaw disconnect [--config F] [--env-file F] [--dry-run]
                                  put back the providers and models connect replaced, remove the keys it wrote
  openclaw import <file> [--dry-run] [--json]
                                  create or update Offload agents from an openclaw.json (models, pins, heartbeats)
  openclaw export [--shape entries|list] [--patch] [--url URL]
                                  Offload's routing as OpenClaw config (--patch: a merge patch for config.patch)`;

function baseUrlOf(env: Env, given: unknown, serverUrl: string | undefined): string {
  if (typeof given === "string") {
    try {
      const url = new URL(given);
      if (url.protocol === "http:" || url.protocol === "https:") return given.replace(/\/+$/, "");
    } catch {
      // below
    }
    throw new UsageError(`--url must be an http(s) URL, not ${given}`);
  }
  return serverUrl ?? `http://127.0.0.1:${env.PORT}`;
}

function agentsOption(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === "all") return undefined;
  const ids = String(raw)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError('--agents takes "all" or a comma-separated list of OpenClaw agent ids');
  return ids;
}

function printDiff(diff: string): void {
  if (diff) process.stdout.write(diff.endsWith("\n") ? diff : `${diff}\n`);
}

async function connect(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    "env-file": { type: "string" },
    agents: { type: "string" },
    url: { type: "string" },
    "heartbeat-direct": { type: "boolean" },
    "dry-run": { type: "boolean" },
  });
  if (positionals.length) throw new UsageError("openclaw connect takes no positional arguments (use --config)");
  const paths = resolveOpenClawPaths(values.config as string | undefined);
  const envFile = (values["env-file"] as string | undefined) ?? paths.envFile;
  const agents = agentsOption(values.agents);
  const dryRun = values["dry-run"] === true;
  const result = await withAdmin(env, (conn) =>
    connectOpenClawFile((input) => conn.client.openclaw.prepareConnect.mutate(input), {
      configPath: paths.configPath,
      envFile: path.resolve(envFile),
      baseUrl: baseUrlOf(env, values.url, conn.url),
      ...(agents ? { agents } : {}),
      ...(values["heartbeat-direct"] ? { heartbeatDirect: true } : {}),
      dryRun,
    }),
  );
  printDiff(result.diff);
  for (const w of result.plan.warnings) console.error(`warning: ${w}`);
  for (const s of result.plan.skipped) console.log(`Skipped ${s.openclawId}: ${s.reason}.`);
  if (dryRun) {
    console.log(
      result.changed
        ? `Dry run: ${result.plan.connected.length} agent(s) would be connected; nothing was written.`
        : "Dry run: the config is already connected; nothing would change.",
    );
    return 0;
  }
  if (result.plan.connected.length === 0) {
    console.log("No agent was connected: none of the selected agents uses a Claude model.");
    return 1;
  }
  console.log(
    table([
      ["OPENCLAW AGENT", "OFFLOAD AGENT", "MODEL", "KEY"],
      ...result.plan.connected.map((c) => {
        const variable = keyEnvName(c.offloadId);
        return [
          c.openclawId,
          c.offloadId,
          `${c.provider}/${c.model}`,
          result.keysWritten.includes(variable) ? `${variable} (new)` : `${variable} (kept)`,
        ];
      }),
    ]),
  );
  if (result.backupPath) console.log(`Backup of the previous config: ${result.backupPath}`);
  if (!result.keptLayout)
    console.log("The config used JSON5-only syntax and was rewritten as JSON; the backup keeps the original.");
  if (result.keysWritten.length) console.log(`Keys written to ${result.envFile} (0600), not to the config.`);
  for (const id of result.keysReplaced)
    console.log(`${id} had another key: it was replaced and the old one stops working.`);
  for (const s of result.suggestions) console.log(`Suggestion: ${s}`);
  console.log(
    result.changed
      ? `Connected. Restart OpenClaw's gateway (or let it reload the config) to use Offload. Undo: offload openclaw disconnect${values.config ? ` --config ${paths.configPath}` : ""}`
      : "Already connected; nothing changed.",
  );
  return 0;
}

function disconnect(args: string[]): number {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    "env-file": { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (positionals.length) throw new UsageError("openclaw disconnect takes no positional arguments (use --config)");
  const paths = resolveOpenClawPaths(values.config as string | undefined);
  const result = disconnectOpenClawFile({
    configPath: paths.configPath,
    envFile: path.resolve((values["env-file"] as string | undefined) ?? paths.envFile),
    dryRun: values["dry-run"] === true,
  });
  printDiff(result.diff);
  for (const c of result.conflicts) console.error(`left as it is: ${c}`);
  if (values["dry-run"]) {
    console.log("Dry run: nothing was written.");
    return 0;
  }
  if (result.backupPath) console.log(`Backup of the connected config: ${result.backupPath}`);
  if (result.keysRemoved.length) console.log(`Removed ${result.keysRemoved.join(", ")} from OpenClaw's .env.`);
  console.log("Disconnected: OpenClaw's agents use their previous models again. Their Offload agents and keys stay.");
  return result.conflicts.length ? 1 : 0;
}

async function importFleet(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { "dry-run": { type: "boolean" }, json: { type: "boolean" } });
  if (positionals.length !== 1) throw new UsageError("openclaw import takes exactly one file");
  const file = path.resolve(positionals[0]!);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  const input = { text, fileName: path.basename(file) };
  const dryRun = values["dry-run"] === true;
  const result = await withAdmin(env, async ({ client }) =>
    dryRun
      ? { ...(await client.openclaw.previewImport.mutate(input)), counts: null }
      : await client.openclaw.import.mutate(input).then((r) => ({
          ...r,
          counts: { created: r.created, updated: r.updated, unchanged: r.unchanged },
        })),
  );
  if (values.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  for (const w of result.warnings) console.error(`warning: ${w}`);
  console.log(
    table([
      ["AGENT", "ACTION", "PIN", "LOCAL MODEL", "CLAUDE MODEL", "EXTERNAL", "HEARTBEAT", "CHANGES"],
      ...result.rows.map((r) => [
        r.id,
        r.action,
        r.pin,
        r.effective.localModel,
        r.effective.claudeModel,
        r.externalModel ?? "-",
        r.effective.heartbeatMinutes ? `${r.effective.heartbeatMinutes} min` : "off",
        r.changes.join("; ") || "-",
      ]),
    ]),
  );
  if (result.ollamaOffer) console.log(result.ollamaOffer);
  if (!result.counts) console.log("Dry run: nothing was stored.");
  else
    console.log(
      `Imported: ${result.counts.created} created, ${result.counts.updated} updated, ${result.counts.unchanged} unchanged. New agents have no key yet: offload openclaw connect issues them.`,
    );
  return 0;
}

async function exportFleet(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    shape: { type: "string" },
    patch: { type: "boolean" },
    url: { type: "string" },
  });
  if (positionals.length) throw new UsageError("openclaw export takes no positional arguments");
  const shape = (values.shape as string | undefined) ?? "entries";
  if (shape !== "entries" && shape !== "list") throw new UsageError("--shape must be entries or list");
  const result = await withAdmin(env, (conn) =>
    conn.client.openclaw.export.query({
      shape,
      patch: values.patch === true,
      baseUrl: baseUrlOf(env, values.url, conn.url),
    }),
  );
  console.log(JSON.stringify(result.json, null, 2));
  return 0;
}

export async function openclawCommand(env: Env, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "connect":
      return connect(env, rest);
    case "disconnect":
      return disconnect(rest);
    case "import":
      return importFleet(env, rest);
    case "export":
      return exportFleet(env, rest);
    default:
      throw new UsageError(
        sub ? `unknown openclaw command: ${sub}` : "openclaw needs a command: connect, disconnect, import or export",
      );
  }
}
