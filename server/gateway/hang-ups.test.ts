// An agent that hangs up cancels its turn on every lane: the upstream call (Ollama or Claude) is
// cut (the upstream server sees its connection close before it answered), no escalation to Claude
// starts, and the turn is recorded as cancelled. The upstreams here are scripted node:http servers
// that answer part of the way, or not at all, and note the moment their client goes away.
import http from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { resetEnv } from "@/server/process/env";
import { configureTurnWriter, drainGateway, flushTurns, resetTurnWriter } from "./turn-writer";
import { invalidateGatewayState } from "./gateway-state";

const savedEnv = { ...process.env };
type Answer = "never" | "first-chunk-then-hang";

/** A server that answers `/api/chat` (Ollama) or `/v1/messages` (Anthropic) part of the way, and notes hang-ups. */
async function startStallingUpstream() {
  const seen: string[] = [];
  const cutOff: string[] = [];
  let answer: Answer = "never";
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push(req.url!);
      res.on("close", () => {
        if (!res.writableEnded) cutOff.push(req.url!);
      });
      if (answer === "never") return;
      if (req.url === "/api/chat") {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write(
          `${JSON.stringify({ model: "qwen3:8b", message: { role: "assistant", content: "HEART" }, done: false })}\n`,
        );
      } else {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const start = {
          type: "message_start",
          message: { model: "claude-opus-4-6", usage: { input_tokens: 800, output_tokens: 1 } },
        };
        res.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    cutOff,
    answer(a: Answer) {
      answer = a;
    },
    reset() {
      seen.length = 0;
      cutOff.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const target of testDatabases()) {
  describe(`hang-ups on ${target.kind}`, () => {
    let db: Db;
    let offload: ServedHandlers;
    let ollama: Awaited<ReturnType<typeof startStallingUpstream>>;
    let anthropic: Awaited<ReturnType<typeof startStallingUpstream>>;
    let keys: Record<string, string>;

    beforeAll(async () => {
      ollama = await startStallingUpstream();
      anthropic = await startStallingUpstream();
      Object.assign(process.env, {
        OLLAMA_HOST: ollama.url,
        ANTHROPIC_API_KEY: "sk-ant-operator-hangups",
        ANTHROPIC_BASE_URL: anthropic.url,
      });
      resetEnv();
    });
    afterAll(async () => {
      await ollama?.close();
      await anthropic?.close();
      process.env = { ...savedEnv };
      resetEnv();
      await target.cleanup();
    });
    beforeEach(async () => {
      resetTurnWriter();
      invalidateGatewayState();
      ollama.reset();
      anthropic.reset();
      db = await target.create();
      await seedCatalogue(db);
      configureTurnWriter(async () => db);
      keys = {
        worker: (await addAgent(db, { id: "worker-1", pin: "local" })).key,
        ops: (await addAgent(db, { id: "ops", pin: "claude" })).key,
      };
      offload = await serveHandlers(db);
    });
    afterEach(async () => {
      await offload?.close();
    });

    /** Sends a turn, hangs up once `ready` holds (after reading the first bytes when streaming), and returns its turn. */
    async function hangUp(agent: "worker" | "ops", stream: boolean, upstream: typeof ollama) {
      const controller = new AbortController();
      const response = fetch(`${offload.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": keys[agent]!, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-opus-4-6",
          max_tokens: 64,
          stream,
          messages: [
            {
              role: "user",
              content: "Read HEARTBEAT.md if it exists. If nothing needs attention, reply HEARTBEAT_OK.",
            },
          ],
        }),
        signal: controller.signal,
      });
      await until("the upstream call", () => upstream.seen.length === 1);
      if (stream) {
        const res = await response;
        expect(res.status).toBe(200);
        const first = await res.body!.getReader().read();
        expect(new TextDecoder().decode(first.value)).toContain("message_start");
      }
      controller.abort();
      await response.catch(() => {});
      await until("the upstream to see the hang-up", () => upstream.cutOff.length === 1);
      await new Promise((r) => setTimeout(r, 300)); // room for an escalation, were one to start
      await drainGateway(2_000); // nothing stays in flight
      await flushTurns();
      return db.prisma.turn.findMany();
    }

    it("local, not streaming: the Ollama call is cut, nothing escalates, the turn is cancelled", async () => {
      ollama.answer("never");
      const rows = await hangUp("worker", false, ollama);
      expect(anthropic.seen).toHaveLength(0);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ lane: "local", status: "cancelled", agentId: "worker-1" });
    });

    it("local, streaming: the Ollama stream is cut, nothing escalates, the turn is cancelled", async () => {
      ollama.answer("first-chunk-then-hang");
      const rows = await hangUp("worker", true, ollama);
      expect(anthropic.seen).toHaveLength(0);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ lane: "local", status: "cancelled" });
    });

    it("Claude, not streaming: the Anthropic call is cut and the turn is cancelled", async () => {
      anthropic.answer("never");
      const rows = await hangUp("ops", false, anthropic);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ lane: "claude", status: "cancelled", agentId: "ops" });
    });

    it("Claude, streaming: the Anthropic stream is cut and the turn is cancelled, metered so far", async () => {
      anthropic.answer("first-chunk-then-hang");
      const rows = await hangUp("ops", true, anthropic);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ lane: "claude", status: "cancelled", inputTokens: 800, costMicroUsd: 4_025n });
    });
  });
}
