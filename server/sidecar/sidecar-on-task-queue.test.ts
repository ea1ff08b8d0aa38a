// The sidecar against Offload's own task queue (server/tasks/, on PGlite, behind a node:http
// listener in this test): what the sidecar sends and reads is what the queue answers and stores.
// A sidecar action ends `done` with its result and a zero-token sidecar turn; a failure is stored
// with its error; an escalation (the gateway stubbed here) stores the answer's text and lane.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { testDatabases } from "@/server/testing/test-databases";
import { addAgent } from "@/server/agents/manage-agents";
import { serveWebHandler } from "@/server/http/web-handler";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import {
  handleClaimNextTask,
  handleCompleteTask,
  handleQueueTask,
  handleReadTask,
} from "@/server/tasks/handle-task-requests";
import { runSidecar } from "./run-sidecar";

const target = testDatabases()[0]!;
let db: Db;
let key: string;
let server: http.Server;
let url: string;
const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "offload-sidecar-queue-")));
const BASE = "http://127.0.0.1";

beforeAll(async () => {
  invalidateGatewayState();
  resetTurnWriter();
  db = await target.create();
  await seedCatalogue(db);
  configureTurnWriter(async () => db);
  key = (await addAgent(db, { id: "worker-1", claudeModel: "claude-sonnet-4-5" })).key;
  server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", BASE).pathname;
    const complete = /^\/api\/v1\/tasks\/([^/]+)\/complete$/.exec(pathname);
    if (req.method === "GET" && pathname === "/api/v1/tasks/next")
      return void serveWebHandler((r) => handleClaimNextTask(r, db), req, res, BASE);
    if (req.method === "POST" && complete)
      return void serveWebHandler((r) => handleCompleteTask(r, decodeURIComponent(complete[1]!), db), req, res, BASE);
    if (req.method === "POST" && pathname === "/v1/messages")
      return void res
        .writeHead(200, {
          "content-type": "application/json",
          "x-offload-lane": "local",
          "x-offload-model": "qwen3:8b",
          "x-offload-turn-id": "turn-from-stub",
        })
        .end(JSON.stringify({ type: "message", role: "assistant", content: [{ type: "text", text: "It is clean." }] }));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  resetTurnWriter();
  await target.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

async function queueTask(body: unknown): Promise<string> {
  const res = await handleQueueTask(
    new Request(`${BASE}/api/v1/tasks`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    db,
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function readTask(id: string) {
  const res = await handleReadTask(
    new Request(`${BASE}/api/v1/tasks/${id}`, { headers: { "x-api-key": key } }),
    id,
    db,
  );
  return (await res.json()) as Record<string, unknown>;
}

it("works the real queue: done with the result, failed with the error, escalated with the answer", async () => {
  const write = await queueTask({
    title: "Write the note",
    payload: { action: "file.write", path: "notes/x.txt", content: "42" },
  });
  const refused = await queueTask({
    title: "Write outside",
    payload: { action: "file.write", path: "../x.txt", content: "no" },
  });
  const ask = await queueTask({ title: "Is the working tree clean?", taskType: "status-report" });

  const lines: string[] = [];
  const warnings: string[] = [];
  const code = await runSidecar({
    conn: { url, agent: "worker-1", key },
    context: { workdir: work, allowHosts: [] },
    once: true,
    pollSeconds: 1,
    log: (l) => lines.push(l),
    warn: (l) => warnings.push(l),
  });
  expect(warnings).toEqual([]);
  expect(code).toBe(0);
  expect(lines).toHaveLength(3);
  expect(fs.readFileSync(path.join(work, "notes/x.txt"), "utf8")).toBe("42");

  expect(await readTask(write)).toMatchObject({
    status: "done",
    lane: "sidecar",
    result: { action: "file.write", path: "notes/x.txt", bytes: 2 },
    executedBy: "sidecar",
    escalated: false,
    turnsUsed: 0,
    attempts: 1,
  });
  expect(await readTask(refused)).toMatchObject({
    status: "failed",
    error: 'refused: "../x.txt" is outside the work dir',
    executedBy: "sidecar",
    escalated: false,
  });
  expect(await readTask(ask)).toMatchObject({
    status: "done",
    result: { text: "It is clean.", lane: "local", model: "qwen3:8b", turnId: "turn-from-stub" },
    executedBy: "sidecar",
    escalated: true,
    turnsUsed: 1,
  });

  // The sidecar's own work became one zero-token turn on the sidecar lane.
  await flushTurns();
  const turns = await db.prisma.turn.findMany({ where: { agentId: "worker-1" } });
  expect(turns.map((t) => [t.lane, t.inputTokens, t.outputTokens])).toEqual([["sidecar", 0, 0]]);

  // Completing again is answered as before (the contract's "repeating is fine").
  const again = await handleCompleteTask(
    new Request(`${BASE}/api/v1/tasks/${write}/complete`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ status: "done", executedBy: "sidecar" }),
    }),
    write,
    db,
  );
  expect(again.status).toBe(200);
});
