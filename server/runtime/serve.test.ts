// The production server as `npm start` runs it: the agent endpoints on Offload's own listener
// (streaming included), everything else through Next.js, and a SIGTERM that lets a turn in
// flight finish and records it before the process exits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { findServerProcesses } from "@/server/testing/server-process";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { openDb } from "@/server/db/client";
import { trpcQuery } from "@/server/testing/browser";

let claude: FakeAnthropic;
let server: StartedServer;
let key: string;
let token: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-serve-"));

describe("the production server", () => {
  beforeAll(async () => {
    claude = await startFakeAnthropic();
    server = await startServer({
      env: {
        OFFLOAD_DATA_DIR: dataDir,
        OFFLOAD_DEMO: "off",
        ANTHROPIC_API_KEY: "sk-ant-operator",
        ANTHROPIC_BASE_URL: claude.url,
        OLLAMA_HOST: "http://127.0.0.1:9",
      },
    });
    token = (JSON.parse(fs.readFileSync(path.join(dataDir, "server.json"), "utf8")) as { token: string }).token;
    const res = await fetch(`${server.url}/api/trpc/agents.add`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ json: { id: "worker", pin: "claude" } }),
    });
    expect(res.status).toBe(200);
    key = ((await res.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
  });
  afterAll(async () => {
    await server?.stop();
    await claude?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the server with npm start's memory settings", () => {
    const { server: pid } = findServerProcesses(dataDir);
    const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    expect(environ).toEqual(
      expect.arrayContaining(["MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=32768", "MALLOC_TRIM_THRESHOLD_=32768"]),
    );
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(args).toEqual(expect.arrayContaining(["--max-old-space-size=1024", "--max-semi-space-size=8"]));
  });

  it("runs the embedded database on a worker thread of its own", () => {
    expect(server.logs()).toContain(`database: embedded, ${path.join(dataDir, "pglite")}, on a thread of its own`);
  });

  it("hands Claude's errors to the agent unchanged, also after the dashboard's side made its own Claude client", async () => {
    // A smoke run on Claude, started through the dashboard's API, creates a Claude client in
    // Next's copy of the modules; the listener's copy must still recognise the SDK's errors.
    claude.setReply(() => ({ text: "HEARTBEAT_OK", usage: { input_tokens: 10, output_tokens: 2 } }));
    const started = await fetch(`${server.url}/api/trpc/smoke.start`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ json: { model: "anthropic/claude-opus-4-6" } }),
    });
    expect(started.status).toBe(200);
    const { runId } = ((await started.json()) as { result: { data: { json: { runId: string } } } }).result.data.json;
    const runStatus = async () => (await trpcQuery<{ status: string }>(server, "smoke.run", { id: runId })).status;
    // It ran on Claude, and failed: the fake's answer fits only one task.
    await expect.poll(runStatus, { timeout: 45_000, interval: 100 }).not.toBe("running");
    expect(await runStatus()).toBe("failed");

    claude.failNext({ kind: "status", status: 429, headers: { "retry-after": "17" } });
    const res = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [{ role: "user", content: "review this change" }],
      }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("17");
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("rate_limit_error");
  });

  it("streams a turn through the SDK with Anthropic's events, and leaves other paths to Next", async () => {
    claude.setReply(() => ({ text: "All quiet.", usage: { input_tokens: 120, output_tokens: 4 } }));
    const client = new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
    const events: string[] = [];
    const stream = client.messages.stream({
      model: "claude-opus-4-6",
      max_tokens: 64,
      messages: [{ role: "user", content: "review this change" }],
    });
    stream.on("streamEvent", (e) => events.push(e.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([expect.objectContaining({ type: "text", text: "All quiet." })]);
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
    expect(events).toContain("content_block_delta");
    // Not an agent endpoint: Next answers (405 for a GET on a POST-only route, pages as pages).
    expect((await fetch(`${server.url}/v1/messages`)).status).toBe(405);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const page = await fetch(`${server.url}/tiers`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
  });

  it("finishes a turn in flight on SIGTERM and records it before exiting", async () => {
    claude.setReply(() => ({
      text: "done after a while",
      usage: { input_tokens: 50, output_tokens: 5 },
      delayMs: 1_500,
    }));
    const before = claude.requests.length;
    const inFlight = fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [{ role: "user", content: "review this change" }],
      }),
    });
    // SIGTERM while Claude is still answering.
    for (let i = 0; i < 100 && claude.requests.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(claude.requests.length).toBe(before + 1);
    const stopped = server.stop();
    const res = await inFlight.catch(async (err: Error) => {
      await stopped;
      throw new Error(`${err.message}\n${server.logs()}`);
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: { text: string }[] }).content[0]!.text).toBe("done after a while");
    await stopped;

    const db = await openDb({ dataDir });
    try {
      const turns = await db.prisma.turn.findMany({
        where: { agentId: "worker", status: "ok" },
        orderBy: { startedAt: "asc" },
      });
      expect(turns.map((t) => [t.lane, t.status, t.outputTokens])).toEqual([
        ["claude", "ok", 4],
        ["claude", "ok", 5],
      ]);
    } finally {
      await db.close();
    }
  });
});
