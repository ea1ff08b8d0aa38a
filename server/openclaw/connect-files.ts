// Connect's file half: reads openclaw.json and OpenClaw's .env, has the database half
// (prepare-connect.ts, reached directly or through the running server) work out the new config
// and the keys, then writes: a backup next to the config first, the keys into the .env OpenClaw
// reads (`OFFLOAD_KEY_<AGENT>=...`, 0600; the config only names them as `${OFFLOAD_KEY_<AGENT>}`),
// the config (in place, comments kept when the syntax allows), and a state file beside it
// (`openclaw.json.offload.json`) recording what connect replaced, which disconnect puts back.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OffloadError } from "@/server/core/errors";
import { parseOpenClawConfig } from "@/server/core/openclaw/read-openclaw-config";
import { planDisconnect } from "@/server/core/openclaw/plan-connect";
import { applyConfigEdits, diffConfig } from "@/server/core/openclaw/apply-edits";
import type { ConfigEdit } from "@/server/core/openclaw/openclaw-types";
import type { PrepareConnectInput, PrepareConnectResult } from "./prepare-connect";

const KEY_VARIABLE = /^OFFLOAD_KEY_[A-Z0-9_]+$/;

/** Where OpenClaw keeps its config and its global .env: OPENCLAW_CONFIG_PATH and OPENCLAW_STATE_DIR, else ~/.openclaw. */
export function defaultOpenClawPaths(processEnv: NodeJS.ProcessEnv = process.env): {
  configPath: string;
  envFile: string;
} {
  const home = processEnv.HOME || os.homedir();
  const expand = (p: string) => (p.startsWith("~/") ? path.join(home, p.slice(2)) : p);
  const stateDir = processEnv.OPENCLAW_STATE_DIR?.trim()
    ? path.resolve(expand(processEnv.OPENCLAW_STATE_DIR.trim()))
    : path.join(home, ".openclaw");
  const configPath = processEnv.OPENCLAW_CONFIG_PATH?.trim()
    ? path.resolve(expand(processEnv.OPENCLAW_CONFIG_PATH.trim()))
    : path.join(stateDir, "openclaw.json");
  return { configPath, envFile: path.join(stateDir, ".env") };
}

/** The config to connect (OpenClaw's own when none is given) and the .env OpenClaw reads beside it:
 * its state folder's for its own config, the config's folder's for one elsewhere (say which you use). */
export function resolveOpenClawPaths(
  configPath?: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): { configPath: string; envFile: string } {
  const defaults = defaultOpenClawPaths(processEnv);
  if (!configPath) return defaults;
  const home = processEnv.HOME || os.homedir();
  const resolved = path.resolve(
    configPath === "~" || configPath.startsWith("~/") ? path.join(home, configPath.slice(1)) : configPath,
  );
  if (resolved === defaults.configPath) return defaults;
  return { configPath: resolved, envFile: path.join(path.dirname(resolved), ".env") };
}

type ConnectState = { version: 1; connectedAt: string; baseUrl: string; edits: ConfigEdit[]; keyVariables: string[] };

const statePathOf = (configPath: string) => `${configPath}.offload.json`;

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OffloadError(
      code === "ENOENT" ? "NOT_FOUND" : "BAD_REQUEST",
      `${what} ${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`,
      "config",
    );
  }
}

/** Writes a file whole or not at all (a temporary file renamed over it), with the given mode. */
function writeAtomically(file: string, text: string, mode: number): void {
  const temporary = `${file}.offload-${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, file);
}

/** The KEY=value lines of a dotenv file (`export ` and quotes allowed), by key. */
export function readEnvFile(file: string): Map<string, string> {
  const values = new Map<string, string>();
  if (!fs.existsSync(file)) return values;
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    values.set(m[1]!, m[2]!.replace(/^(['"])(.*)\1$/, "$2"));
  }
  return values;
}

/** Sets (or, for null, removes) variables in a dotenv file, keeping every other line as it was; 0600. */
function updateEnvFile(file: string, changes: Record<string, string | null>): void {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split(/\r?\n/) : [];
  if (lines.at(-1) === "") lines.pop();
  const pending = new Map(Object.entries(changes));
  const kept: string[] = [];
  for (const line of lines) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key && pending.has(key)) {
      const value = pending.get(key);
      pending.delete(key);
      if (value !== null) kept.push(`${key}=${value}`);
      continue;
    }
    kept.push(line);
  }
  for (const [key, value] of pending) if (value !== null) kept.push(`${key}=${value}`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeAtomically(file, kept.length ? `${kept.join("\n")}\n` : "", 0o600);
}

function backup(configPath: string, text: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = `${configPath}.bak-${stamp}`;
  fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  return file;
}

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

export type ConnectFileOptions = {
  configPath: string;
  envFile: string;
  baseUrl: string;
  agents?: string[];
  heartbeatDirect?: boolean;
  dryRun?: boolean;
};

export type ConnectFileResult = Omit<PrepareConnectResult, "text" | "keys" | "plan"> & {
  /** The plan without its edits (the state file keeps those). */
  plan: Omit<PrepareConnectResult["plan"], "edits">;
  configPath: string;
  envFile: string;
  statePath: string;
  /** The backup written before the config changed; null on a dry run or when nothing changed. */
  backupPath: string | null;
  /** Variables written to the .env (their values are not returned). */
  keysWritten: string[];
  changed: boolean;
};

/** Connects the agents of an OpenClaw config to Offload; `prepare` is the database half (direct, or through the server). */
export async function connectOpenClawFile(
  prepare: (input: PrepareConnectInput) => Promise<PrepareConnectResult>,
  options: ConnectFileOptions,
): Promise<ConnectFileResult> {
  const { configPath, envFile } = options;
  const text = readText(configPath, "OpenClaw config");
  const heldKeys = Object.fromEntries([...readEnvFile(envFile)].filter(([k]) => KEY_VARIABLE.test(k)));
  const prepared = await prepare({
    text,
    fileName: path.basename(configPath),
    baseUrl: options.baseUrl,
    existingKeys: heldKeys,
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.heartbeatDirect ? { heartbeatDirect: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  const { text: newText, keys, plan: fullPlan, ...rest } = prepared;
  const { edits: _edits, ...plan } = fullPlan;
  const statePath = statePathOf(configPath);
  const result: ConnectFileResult = {
    ...rest,
    plan,
    configPath,
    envFile,
    statePath,
    backupPath: null,
    keysWritten: [],
    changed: newText !== text,
  };
  if (options.dryRun) return result;

  if (Object.keys(keys).length) {
    updateEnvFile(envFile, keys);
    result.keysWritten = Object.keys(keys).sort();
  }
  if (result.changed) {
    result.backupPath = backup(configPath, text);
    writeAtomically(configPath, newText, modeOf(configPath));
  }
  // What connect replaced, oldest value first: re-running keeps what was there before the first connect.
  const state: ConnectState = fs.existsSync(statePath)
    ? (JSON.parse(fs.readFileSync(statePath, "utf8")) as ConnectState)
    : { version: 1, connectedAt: new Date().toISOString(), baseUrl: options.baseUrl, edits: [], keyVariables: [] };
  for (const edit of prepared.plan.edits) {
    const same = state.edits.find((e) => JSON.stringify(e.path) === JSON.stringify(edit.path));
    if (same) same.value = edit.value;
    else state.edits.push(edit);
  }
  state.baseUrl = options.baseUrl;
  state.keyVariables = [...new Set([...state.keyVariables, ...result.keysWritten, ...result.keysKept])].sort();
  if (state.edits.length || state.keyVariables.length)
    writeAtomically(statePath, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  return result;
}

export type DisconnectFileResult = {
  configPath: string;
  diff: string;
  backupPath: string | null;
  /** Paths the operator changed since connect: left as they are. */
  conflicts: string[];
  keysRemoved: string[];
  changed: boolean;
};

/** Puts back what connect replaced (where it is still what connect wrote) and removes Offload's keys from the .env. */
export function disconnectOpenClawFile(options: {
  configPath: string;
  envFile: string;
  dryRun?: boolean;
}): DisconnectFileResult {
  const { configPath, envFile } = options;
  const statePath = statePathOf(configPath);
  if (!fs.existsSync(statePath))
    throw new OffloadError(
      "NOT_FOUND",
      `${configPath} was not connected by Offload (no ${path.basename(statePath)} beside it)`,
      "config",
    );
  const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as ConnectState;
  const text = readText(configPath, "OpenClaw config");
  const file = parseOpenClawConfig(text, path.basename(configPath));
  const { edits, conflicts } = planDisconnect(file, state.edits);
  const edited = applyConfigEdits(text, edits);
  const result: DisconnectFileResult = {
    configPath,
    diff: diffConfig(text, edited.text, path.basename(configPath)),
    backupPath: null,
    conflicts,
    keysRemoved: [],
    changed: edited.text !== text,
  };
  if (options.dryRun) return result;
  if (result.changed) {
    result.backupPath = backup(configPath, text);
    writeAtomically(configPath, edited.text, modeOf(configPath));
  }
  const held = readEnvFile(envFile);
  result.keysRemoved = state.keyVariables.filter((k) => held.has(k));
  if (result.keysRemoved.length) updateEnvFile(envFile, Object.fromEntries(result.keysRemoved.map((k) => [k, null])));
  fs.rmSync(statePath, { force: true });
  return result;
}
