// End to end with the real OpenClaw (`openclaw` from npm, run by the Node 24 binary the global
// setup installs), configured in an isolated HOME with a provider `api: "anthropic-messages"` whose
// baseUrl is Offload and whose key is an agent's Offload key (the agent pinned to Claude): a
// one-shot `openclaw agent --local --message ...` and a heartbeat run (its Gateway started, the
// heartbeat woken with `openclaw system event --mode now`). For every request: OpenClaw succeeded,
// the fake Anthropic got exactly what OpenClaw sent, and OpenClaw got exactly what it answered.
// Then the same heartbeat from an agent nobody pinned, with default settings: Offload recognises it
// and the local model answers it, with nothing sent to Claude.
// Last, `offload openclaw connect` on an operator's own config (comments, no Offload in it): the
// real OpenClaw then reaches Offload with the connected agent's key from its .env, for a one-shot
// and a heartbeat (served locally), and `disconnect` puts the config back.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AnthropicReply } from "@/server/testing/fake-anthropic";
import { freePort } from "@/server/testing/start-server";
import { runCli } from "@/server/testing/run-node";
import { writeCapture } from "./captures";
import { collectCase, runProcess, startHarness, tempDir, type Harness, type ProcessResult } from "./harness";
import { describeRequests, expectTransparentCase, pairExchanges, type ExchangePair } from "./transparency";

const AGENT = "openclaw-e2e";
const PROVIDER = "offload";
const MODEL = "claude-opus-4-6";
const RUN_TIMEOUT_MS = 300_000;
const GATEWAY_TOKEN = "openclaw-e2e-gateway-token-0123456789";

const clients = inject("clients");
let harness: Harness;
let agentKey = "";
const cleanups: (() => void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Home = { dir: string; env: Record<string, string> };

/**
 * An isolated HOME holding ~/.openclaw/openclaw.json (docs/gateway/config-tools/custom-providers.md):
 * one provider, Offload, speaking the Anthropic Messages API with the agent's key, as the only
 * model source; the default agent uses its Claude model. Nothing of this process's environment
 * reaches OpenClaw but PATH (with Node 24 first).
 */
function openclawHome(
  extra: Record<string, unknown> = {},
  heartbeat?: Record<string, unknown>,
  key: string = agentKey,
): Home {
  const home = tempDir("openclaw-home");
  cleanups.push(home.remove);
  const config = {
    models: {
      mode: "replace",
      providers: {
        [PROVIDER]: {
          baseUrl: harness.gateway.url,
          api: "anthropic-messages",
          apiKey: key,
          models: [
            {
              id: MODEL,
              name: "Claude Opus 4.6 via Offload",
              reasoning: true,
              input: ["text"],
              contextWindow: 200_000,
              maxTokens: 8192,
            },
          ],
        },
      },
    },
    agents: {
      defaults: {
        model: { primary: `${PROVIDER}/${MODEL}` },
        workspace: path.join(home.dir, "workspace"),
        ...(heartbeat ? { heartbeat } : {}),
      },
    },
    // Its log file, by default in /tmp/openclaw/, stays in this HOME (docs/gateway/config-observability.md).
    logging: { file: path.join(home.dir, "openclaw.log") },
    ...extra,
  };
  return writeHome(home.dir, JSON.stringify(config, null, 2));
}

/** Writes ~/.openclaw/openclaw.json into an isolated HOME; the environment OpenClaw runs with there. */
function writeHome(dir: string, configText: string): Home {
  fs.mkdirSync(path.join(dir, ".openclaw"), { recursive: true });
  fs.mkdirSync(path.join(dir, "tmp"));
  fs.writeFileSync(path.join(dir, ".openclaw", "openclaw.json"), configText);
  const nodeBin = path.dirname(clients.node24);
  return {
    dir,
    env: {
      PATH: `${nodeBin}${path.delimiter}${process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
      HOME: dir,
      TMPDIR: path.join(dir, "tmp"),
      LANG: "C.UTF-8",
      TZ: "UTC",
      // No downloads of helper binaries (docs/help/environment.md): the suite runs offline.
      OPENCLAW_OFFLINE: "1",
    },
  };
}

const openclaw = (home: Home, args: string[], timeoutMs = RUN_TIMEOUT_MS) =>
  runProcess(clients.node24, [clients.openclaw, ...args], { cwd: home.dir, env: home.env, timeoutMs });

type Recorded = { pairs: ExchangePair[]; upstreamCount: number };

async function record(caseName: string, home: Home, command: string[]): Promise<Recorded> {
  const rec = await collectCase(harness);
  console.log(describeRequests(`openclaw ${caseName}`, rec.client));
  const saved = await writeCapture(
    {
      client: "openclaw",
      clientVersion: clients.versions.openclaw,
      caseName,
      command: ["openclaw", ...command],
      replacements: {
        [agentKey]: "<offload-agent-key>",
        [home.dir]: "<home>",
        [GATEWAY_TOKEN]: "<openclaw-gateway-token>",
        [harness.gateway.url]: "<offload-url>",
        [new URL(harness.gateway.url).host]: "<offload-host>",
      },
    },
    rec.client,
  );
  if (saved) console.log(`saved ${saved}`);
  return { pairs: pairExchanges(rec.client, rec.upstream), upstreamCount: rec.upstream.length };
}

function why(result: ProcessResult): string {
  return `exit ${result.code ?? result.signal}; stdout: ${result.stdout.slice(-1500)}; stderr: ${result.stderr.slice(-2500)}`;
}

const firstUserText = (p: ExchangePair): string => {
  const body = JSON.parse(p.client.request.body.toString("utf8"));
  const first = body.messages?.find((m: any) => m.role === "user");
  return typeof first?.content === "string"
    ? first.content
    : (first?.content ?? []).map((b: any) => (typeof b.text === "string" ? b.text : "")).join("\n");
};

/** Starts `openclaw gateway run` and waits until `openclaw gateway health` answers. */
async function startOpenclawGateway(home: Home, port: number): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(clients.node24, [clients.openclaw, "gateway", "run"], {
    cwd: home.dir,
    env: home.env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let logs = "";
  child.stdout.on("data", (d: Buffer) => (logs += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (logs += d.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (!gone) {
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    kill("SIGKILL");
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (gone) throw new Error(`openclaw gateway run exited before it was healthy:\n${logs.slice(-4000)}`);
    const health = await openclaw(home, ["gateway", "health", ...gatewayFlags(port), "--json"], 30_000);
    if (health.code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`openclaw gateway was not healthy after 180 s:\n${why(health)}\n${logs.slice(-4000)}`);
    }
    await sleep(1_000);
  }
  return { child, stop };
}

const gatewayFlags = (port: number) => ["--url", `ws://127.0.0.1:${port}`, "--token", GATEWAY_TOKEN];

/** Starts OpenClaw's Gateway with a heartbeat, wakes it now and waits for its model call; its last heartbeat's record. */
async function runHeartbeat(home: Home, port: number, reply: string): Promise<any> {
  const gateway = await startOpenclawGateway(home, port);
  let last: any;
  try {
    harness.reset(); // only the heartbeat's requests, not any made while the Gateway started
    harness.anthropic.setReply((): AnthropicReply => ({ text: reply }));
    harness.ollama.setReply(() => ({ content: reply }));
    const event = await openclaw(
      home,
      ["system", "event", ...gatewayFlags(port), "--text", HEARTBEAT_EVENT, "--mode", "now", "--json"],
      60_000,
    );
    expect(event.code, `heartbeat: openclaw system event (${why(event)})`).toBe(0);
    // Wait for the heartbeat's model call to finish, then for the Gateway to record the heartbeat.
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      await harness.settled();
      const status = await openclaw(home, ["system", "heartbeat", "last", ...gatewayFlags(port), "--json"], 60_000);
      try {
        last = JSON.parse(status.stdout);
      } catch {
        last = undefined;
      }
      if (harness.gateway.exchanges.length > 0 && typeof last?.status === "string") break;
      await sleep(1_000);
    }
  } finally {
    await gateway.stop();
  }
  return last;
}

const HEARTBEAT_EVENT = "Check the deploy queue.";
/** OpenClaw's Gateway on loopback with a heartbeat every 30 minutes that delivers nowhere (docs/gateway/heartbeat.md). */
const heartbeatHome = (port: number, key?: string) =>
  openclawHome(
    { gateway: { mode: "local", port, bind: "loopback", auth: { mode: "token", token: GATEWAY_TOKEN } } },
    { every: "30m", target: "none" },
    key,
  );

beforeAll(async () => {
  harness = await startHarness();
  agentKey = await harness.addAgent(AGENT, "claude");
});

afterAll(async () => {
  await harness?.stop();
  for (const cleanup of cleanups) cleanup();
});

describe("OpenClaw through Offload (agent pinned to Claude)", () => {
  it("answers a one-shot `openclaw agent --local --message`", async () => {
    harness.reset();
    harness.anthropic.setReply((): AnthropicReply => ({ text: "pong" }));
    const home = openclawHome();
    const command = ["agent", "--local", "--agent", "main", "--message", "Reply with the single word pong.", "--json"];
    const result = await openclaw(home, command);
    const rec = await record("one-shot", home, command);

    expect.soft(result.code, `one-shot: openclaw exit status (${why(result)})`).toBe(0);
    let output: any;
    try {
      output = JSON.parse(result.stdout);
    } catch {
      output = undefined;
    }
    const texts: string[] = (output?.payloads ?? output?.result?.payloads ?? []).map((p: any) => p?.text);
    expect.soft(texts, `one-shot: the reply's payloads (stdout: ${result.stdout.slice(0, 1000)})`).toContain("pong");
    expect.soft(rec.pairs.length, "one-shot: Messages requests sent").toBeGreaterThan(0);
    for (const p of rec.pairs)
      expect
        .soft(firstUserText(p), "one-shot: the instruction reached the model")
        .toContain("Reply with the single word pong.");
    await expectTransparentCase(harness, {
      caseName: "openclaw one-shot",
      agentId: AGENT,
      agentKey,
      pairs: rec.pairs,
      upstreamCount: rec.upstreamCount,
    });
  });

  it("runs a heartbeat through its Gateway", async () => {
    const port = await freePort();
    const home = heartbeatHome(port);
    const last = await runHeartbeat(home, port, "NO_REPLY");
    const rec = await record("heartbeat", home, ["system", "event", "--text", HEARTBEAT_EVENT, "--mode", "now"]);

    expect.soft(rec.pairs.length, "heartbeat: Messages requests sent").toBeGreaterThan(0);
    expect
      .soft(String(last?.status), `heartbeat: the Gateway's last heartbeat (${JSON.stringify(last)})`)
      .toMatch(/^ok/);
    for (const p of rec.pairs)
      expect.soft(firstUserText(p), "heartbeat: the heartbeat prompt reached the model").toContain("heartbeat");
    await expectTransparentCase(harness, {
      caseName: "openclaw heartbeat",
      agentId: AGENT,
      agentKey,
      pairs: rec.pairs,
      upstreamCount: rec.upstreamCount,
    });
  });
});

describe("OpenClaw through Offload (an agent nobody pinned, default settings)", () => {
  const FLEET_AGENT = "openclaw-fleet";
  let fleetKey = "";
  beforeAll(async () => {
    fleetKey = await harness.addAgent(FLEET_AGENT, "none");
  });

  it("has its heartbeat answered by the local model, with nothing sent to Claude", async () => {
    const port = await freePort();
    const last = await runHeartbeat(heartbeatHome(port, fleetKey), port, "NO_REPLY");
    const rec = await collectCase(harness);
    const pairs = pairExchanges(rec.client, rec.upstream);

    expect
      .soft(String(last?.status), `heartbeat: the Gateway's last heartbeat (${JSON.stringify(last)})`)
      .toMatch(/^ok/);
    expect(pairs.length, "heartbeat: Messages requests sent").toBeGreaterThan(0);
    for (const p of pairs) {
      expect.soft(p.client.response?.status, "heartbeat: OpenClaw's answer").toBe(200);
      expect.soft(p.client.response?.headers["x-offload-lane"], "heartbeat: the lane").toBe("local");
    }
    expect(rec.upstream, "heartbeat: requests that reached Claude").toHaveLength(0);
    expect(harness.ollama.requests.some((r) => r.path === "/api/chat")).toBe(true);
    const [turn] = await harness.agentTurns(FLEET_AGENT);
    expect(turn).toMatchObject({ lane: "local", servedModel: "qwen3:8b", status: "ok" });
    expect(turn!.reason).toMatch(/^recognised as a heartbeat/);
  });
});

describe("offload openclaw connect on a real OpenClaw config", () => {
  /** An operator's OpenClaw before Offload: one agent on Claude, heartbeats every 30 minutes, its Gateway on loopback. */
  function plainHome(port: number): Home {
    const home = tempDir("openclaw-connect");
    cleanups.push(home.remove);
    const config = `// my fleet
{
  "agents": {
    "defaults": {
      "model": { "primary": "anthropic/${MODEL}" },
      "workspace": ${JSON.stringify(path.join(home.dir, "workspace"))},
      "heartbeat": { "every": "30m", "target": "none" },
    },
    "entries": {
      "ops": { "name": "Ops agent" }, // on call
    },
  },
  "gateway": { "mode": "local", "port": ${port}, "bind": "loopback", "auth": { "mode": "token", "token": "${GATEWAY_TOKEN}" } },
  "logging": { "file": ${JSON.stringify(path.join(home.dir, "openclaw.log"))} },
}
`;
    return writeHome(home.dir, config);
  }

  it("connects the agent with its own key: a one-shot and a heartbeat reach Offload, the heartbeat served locally", async () => {
    const port = await freePort();
    const home = plainHome(port);
    const connect = await runCli(["openclaw", "connect", "--url", harness.gateway.url], {
      HOME: home.dir,
      OPENCLAW_CONFIG_PATH: undefined,
      OPENCLAW_STATE_DIR: undefined,
      OFFLOAD_DATA_DIR: harness.server.dataDir,
      DATABASE_URL: undefined,
      OFFLOAD_ADMIN_TOKEN: undefined,
    });
    expect(connect.code, `offload openclaw connect: ${connect.stdout}\n${connect.stderr}`).toBe(0);
    expect(connect.stdout).toMatch(/^\+\s+"primary": "offload-ops\/claude-opus-4-6"/m);
    const envText = fs.readFileSync(path.join(home.dir, ".openclaw", ".env"), "utf8");
    const key = /^OFFLOAD_KEY_OPS=(ofk_\S+)$/m.exec(envText)?.[1];
    expect(key, `the key in OpenClaw's .env:\n${envText}`).toBeTruthy();
    expect(connect.stdout).not.toContain(key!);
    const written = fs.readFileSync(path.join(home.dir, ".openclaw", "openclaw.json"), "utf8");
    expect(written).toContain("// on call");
    expect(written).not.toContain(key!);

    // A one-shot through OpenClaw's own config loading (its .env, the \${OFFLOAD_KEY_OPS} reference).
    harness.reset();
    harness.anthropic.setReply((): AnthropicReply => ({ text: "pong" }));
    const result = await openclaw(home, [
      "agent",
      "--local",
      "--agent",
      "ops",
      "--message",
      "Reply with the single word pong.",
      "--json",
    ]);
    await harness.settled();
    expect.soft(result.code, `one-shot after connect (${why(result)})`).toBe(0);
    const sent = harness.gateway.exchanges.filter((e) => e.request.url.startsWith("/v1/messages"));
    expect(sent.length, "one-shot: requests that reached Offload").toBeGreaterThan(0);
    for (const e of sent) {
      const credential = e.request.headers["x-api-key"] ?? e.request.headers.authorization?.replace(/^Bearer /, "");
      expect(credential, "one-shot: OpenClaw sent the agent's Offload key").toBe(key);
      expect(e.response?.status, "one-shot: Offload's answer").toBe(200);
    }
    const turns = await harness.agentTurns("ops");
    expect(turns.length, "one-shot: turns recorded for the connected agent").toBeGreaterThan(0);

    // A heartbeat with default settings: recognised by Offload and answered by the local model.
    const last = await runHeartbeat(home, port, "NO_REPLY");
    expect
      .soft(String(last?.status), `heartbeat: the Gateway's last heartbeat (${JSON.stringify(last)})`)
      .toMatch(/^ok/);
    const beats = harness.gateway.exchanges.filter((e) => e.request.url.startsWith("/v1/messages"));
    expect(beats.length, "heartbeat: requests that reached Offload").toBeGreaterThan(0);
    for (const e of beats) {
      expect.soft(e.response?.headers["x-offload-lane"], "heartbeat: the lane").toBe("local");
      const credential = e.request.headers["x-api-key"] ?? e.request.headers.authorization?.replace(/^Bearer /, "");
      expect.soft(credential, "heartbeat: the agent's key").toBe(key);
    }
    expect(harness.upstream.exchanges, "heartbeat: requests that reached Claude").toHaveLength(0);
    const [beat] = await harness.agentTurns("ops");
    expect(beat).toMatchObject({ lane: "local", status: "ok" });
    expect(beat!.reason).toMatch(/^recognised as a heartbeat/);

    // And back: disconnect restores the model, connect again would be a no-op.
    const disconnect = await runCli(["openclaw", "disconnect"], {
      HOME: home.dir,
      OPENCLAW_CONFIG_PATH: undefined,
      OPENCLAW_STATE_DIR: undefined,
    });
    expect(disconnect.code, `offload openclaw disconnect: ${disconnect.stdout}\n${disconnect.stderr}`).toBe(0);
    const restored = fs.readFileSync(path.join(home.dir, ".openclaw", "openclaw.json"), "utf8");
    expect(restored).not.toContain("offload-ops");
    expect(fs.readFileSync(path.join(home.dir, ".openclaw", ".env"), "utf8")).not.toContain("OFFLOAD_KEY_OPS");
  });
});
