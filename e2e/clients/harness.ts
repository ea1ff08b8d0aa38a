// Test helper for the real-client suite: Offload started the way users start it (`npm start`'s
// entry, fresh embedded data folder) between the suite's fake Anthropic and fake Ollama, with a
// recording proxy on each side of it: client -> [gateway proxy] -> Offload -> [upstream proxy] ->
// fake Anthropic. Agents are added with the `offload` CLI, their turns read back over tRPC.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { runCli } from "@/server/testing/run-node";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from "./recording-proxy";

/** The operator's Anthropic key, given to Offload; the only credential that may reach Anthropic. */
export const OPERATOR_KEY = "sk-ant-api03-e2e-operator-key-0123456789abcdef";

/** Headers the fake Anthropic adds to its answers, as Anthropic does; they must reach the client. */
export const ANTHROPIC_RESPONSE_HEADERS: Record<string, string> = {
  "anthropic-organization-id": "0b5c2f0e-e2e0-4c1a-9a53-offload0e2e00",
  "anthropic-ratelimit-requests-limit": "4000",
  "anthropic-ratelimit-requests-remaining": "3999",
  "anthropic-ratelimit-requests-reset": "2026-11-30T12:00:01Z",
  "anthropic-ratelimit-input-tokens-limit": "2000000",
  "anthropic-ratelimit-input-tokens-remaining": "1990000",
  "anthropic-ratelimit-input-tokens-reset": "2026-11-30T12:00:01Z",
};

export type RecordedTurn = {
  id: string;
  lane: string;
  requestedModel?: string;
  servedModel: string;
  status: string;
  reason: string | null;
  errorMessage: string | null;
};

export type Harness = {
  server: StartedServer;
  anthropic: FakeAnthropic;
  ollama: FakeOllama;
  /** Between the client and Offload: what the client sent and received. */
  gateway: RecordingProxy;
  /** Between Offload and the fake Anthropic: what reached Anthropic and what it answered. */
  upstream: RecordingProxy;
  /** Adds an agent with the CLI (`offload agents add <id> --pin <pin>`) and returns its Offload key. */
  addAgent(id: string, pin: "claude" | "local" | "none"): Promise<string>;
  /** The agent's most recent turns (tRPC fleet.agent), newest first. */
  agentTurns(id: string): Promise<RecordedTurn[]>;
  /** Forgets what the proxies and fakes recorded, before a new case. */
  reset(): void;
  /** Waits until every exchange in flight on both proxies has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
};

export async function startHarness(): Promise<Harness> {
  const anthropic = await startFakeAnthropic();
  const ollama = await startFakeOllama();
  anthropic.setResponseHeaders(ANTHROPIC_RESPONSE_HEADERS);
  const upstream = await startRecordingProxy(anthropic.url);
  let server: StartedServer | undefined;
  let gateway: RecordingProxy | undefined;
  try {
    server = await startServer({
      env: { ANTHROPIC_API_KEY: OPERATOR_KEY, ANTHROPIC_BASE_URL: upstream.url, OLLAMA_HOST: ollama.url },
    });
    gateway = await startRecordingProxy(server.url);
  } catch (err) {
    await server?.stop();
    await Promise.all([upstream.close(), anthropic.close(), ollama.close()]);
    throw err;
  }
  const started = server;
  const proxy = gateway;

  return {
    server: started,
    anthropic,
    ollama,
    gateway: proxy,
    upstream,
    async addAgent(id, pin) {
      const result = await runCli(["agents", "add", id, "--name", id, "--pin", pin], {
        OFFLOAD_DATA_DIR: started.dataDir,
        DATABASE_URL: undefined,
        OFFLOAD_ADMIN_TOKEN: undefined,
      });
      if (result.code !== 0)
        throw new Error(`offload agents add ${id} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
      const key = result.stdout.trim().split("\n").pop()?.trim() ?? "";
      if (key.length < 16) throw new Error(`offload agents add ${id} printed no key:\n${result.stdout}`);
      return key;
    },
    async agentTurns(id) {
      const input = encodeURIComponent(JSON.stringify({ json: { id } }));
      const res = await fetch(`${started.url}/api/trpc/fleet.agent?input=${input}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /api/trpc/fleet.agent: ${res.status} ${text.slice(0, 500)}`);
      const body = JSON.parse(text) as { result: { data: { json: { recentTurns: RecordedTurn[] } } } };
      return body.result.data.json.recentTurns;
    },
    reset() {
      proxy.clear();
      upstream.clear();
      anthropic.requests.length = 0;
      anthropic.setReply(null);
      ollama.requests.length = 0;
      ollama.setReply(null);
    },
    async settled() {
      await Promise.all([proxy.settled(), upstream.settled()]);
    },
    async stop() {
      await proxy.close();
      await started.stop();
      await Promise.all([upstream.close(), anthropic.close(), ollama.close()]);
    },
  };
}

export type ProcessResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs a client's command with exactly the environment given (nothing inherited), killing its group on timeout. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      reject(
        new Error(
          `${path.basename(command)} ${args.join(" ")} timed out after ${options.timeoutMs} ms\n` +
            `stdout: ${stdout.slice(-4000)}\nstderr: ${stderr.slice(-4000)}`,
        ),
      );
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A fresh folder under the OS temp folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `offload-${prefix}-`)));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/** The requests of one case, on both sides of Offload, once all have finished. */
export type CaseRecord = { client: RecordedExchange[]; upstream: RecordedExchange[] };

export async function collectCase(harness: Harness): Promise<CaseRecord> {
  await harness.settled();
  return { client: [...harness.gateway.exchanges], upstream: [...harness.upstream.exchanges] };
}
