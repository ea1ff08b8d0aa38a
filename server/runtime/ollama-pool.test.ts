// A pool of three Ollama hosts behind `npm start`'s server (issue 17): the health monitor polls and
// judges each; local turns go only to hosts that have the model; one host refusing connections in
// the middle of the load moves its turns to the other without a failed or escalated turn; a model
// no host has goes to Claude with the reason; and the ollamaHosts setting replaces the pool for
// the next turn.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { callAdmin } from "@/server/testing/call-admin";
import type { HealthStatusView } from "@/server/health/read-health";

const TOKEN = "ollama-pool-admin-token";

/** The answer's text: a message's text blocks, or a stream's text deltas joined (an error event fails it). */
function answerText(body: string): string {
  if (!body.startsWith("event:")) {
    const m = JSON.parse(body) as { content: { type: string; text?: string }[] };
    return m.content.map((b) => b.text ?? "").join("");
  }
  let text = "";
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: ")) continue;
    const event = JSON.parse(line.slice(6)) as { type: string; delta?: { type: string; text?: string } };
    if (event.type === "error") return `error: ${line}`;
    if (event.delta?.type === "text_delta") text += event.delta.text ?? "";
  }
  return text;
}

describe("a pool of Ollama hosts", () => {
  let claude: FakeAnthropic;
  let a: FakeOllama;
  let b: FakeOllama;
  let c: FakeOllama;
  let server: StartedServer;
  const keys: Record<string, string> = {};

  const admin = <T>(procedure: string, input: unknown, query = false) =>
    callAdmin<T>(server, procedure, input, { query, token: TOKEN });
  const chats = (o: FakeOllama) => o.requests.filter((r) => r.path === "/api/chat").length;
  const turn = (i: number, stream: boolean, agent = "pooled") =>
    fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": keys[agent]!, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 32,
        stream,
        messages: [{ role: "user", content: `heartbeat ${i}: anything to do?` }],
      }),
    });

  beforeAll(async () => {
    claude = await startFakeAnthropic();
    claude.setReply(() => ({ text: "from claude", usage: { input_tokens: 100, output_tokens: 5 } }));
    [a, b, c] = await Promise.all([startFakeOllama(), startFakeOllama(), startFakeOllama()]);
    c.setModels(["llama3.2:3b"]); // the third host lacks the fleet's model
    for (const o of [a, b]) o.setReply(() => ({ content: "HEARTBEAT_OK", delayMs: 15 }));
    server = await startServer({
      env: {
        OFFLOAD_ADMIN_TOKEN: TOKEN,
        OFFLOAD_HOST: "127.0.0.1",
        OFFLOAD_DEMO: "off",
        OFFLOAD_HEALTH_INTERVAL_S: "2",
        ANTHROPIC_API_KEY: "sk-ant-operator",
        ANTHROPIC_BASE_URL: claude.url,
        OLLAMA_HOST: "http://127.0.0.1:9",
        OLLAMA_HOSTS: `${a.url},${b.url}/,${c.url}`,
      },
    });
    // Pinned local: one agent on the fleet's model, one on a model no host has, one on the third host's.
    for (const [id, localModel] of [
      ["pooled", "qwen3:8b"],
      ["unserved", "mistral:7b"],
      ["small", "llama3.2:3b"],
    ] as const)
      keys[id] = (await admin<{ key: string }>("agents.add", { id, pin: "local", localModel })).key;
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await Promise.all([claude, a, b, c].map((s) => s?.close()));
  });

  it("polls every host and judges each, the pool up", async () => {
    await admin("health.pollNow", null);
    const h = await admin<HealthStatusView>("health.status", null, true);
    expect(h.ollamaHosts).toEqual([a.url, b.url, c.url]);
    expect(h.ollamaHostsSource).toBe("OLLAMA_HOSTS");
    expect(h.status).toBe("up");
    expect(h.hosts.map((x) => [x.host, x.status])).toEqual([
      [a.url, "up"],
      [b.url, "up"],
      [c.url, "up"],
    ]);
    expect(h.hosts[2]!.notes).toContain("qwen3:8b is not installed here");
    expect(h.reasons.join(" ")).toContain("the local model mistral:7b is not installed on any Ollama host");
  });

  it("moves a host's turns to the others when it goes down mid-load, with no failed or escalated turn", async () => {
    const total = 240;
    const results: { status: number; lane: string | null; text: string }[] = [];
    let sent = 0;
    let killed = false;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < total) {
          const i = sent++;
          if (!killed && i >= total / 3) {
            killed = true;
            a.failAlways({ kind: "refuse" });
          }
          const res = await turn(i, i % 4 === 0);
          results.push({ status: res.status, lane: res.headers.get("x-offload-lane"), text: await res.text() });
        }
      }),
    );
    expect(results).toHaveLength(total);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(results.filter((r) => r.lane !== "local")).toEqual([]);
    expect(results.filter((r) => answerText(r.text) !== "HEARTBEAT_OK")).toEqual([]);
    expect(claude.requests.filter((r) => r.path === "/v1/messages")).toHaveLength(0);
    // Both hosts with the model took turns before the failure; the one without it took none.
    expect(chats(a)).toBeGreaterThan(0);
    expect(chats(b)).toBeGreaterThan(chats(a));
    expect(chats(c)).toBe(0);
    console.log(`pool: ${chats(a)} chats on a (down after ${total / 3} turns), ${chats(b)} on b, ${chats(c)} on c`);

    // The next poll finds the host down and the pool still up; the turns are counted per host (once
    // the writer has stored them: it writes answered turns in batches, after the answers).
    let h!: HealthStatusView;
    for (const deadline = Date.now() + 15_000; ;) {
      await admin("health.pollNow", null);
      h = await admin<HealthStatusView>("health.status", null, true);
      const counted = h.hosts.reduce((sum, x) => sum + x.localTurns, 0);
      if (counted >= total || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(h.status).toBe("up");
    expect(h.hosts.map((x) => x.status)).toEqual(["down", "up", "up"]);
    expect(h.reasons.join(" ")).toContain(`${a.url}: connection refused`);
    const [onA, onB] = [h.hosts[0]!.localTurns, h.hosts[1]!.localTurns];
    expect(onA + onB).toBe(total);
    expect(onB).toBeGreaterThan(onA);
    expect(h.hosts[2]!.localTurns).toBe(0);
  }, 300_000);

  it("sends a turn for a model no host has to Claude, saying why", async () => {
    a.failAlways(null);
    await admin("health.pollNow", null);
    const res = await turn(1_000, false, "unserved");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-offload-lane")).toBe("claude");
    expect(res.headers.get("x-offload-reason")).toContain("no Ollama host has mistral:7b installed");
  });

  it("uses the ollamaHosts setting instead of the environment from the next turn", async () => {
    const before = [chats(a), chats(b), chats(c)];
    // Two hosts: a pool (one host alone without the fleet's qwen3:8b would be judged down, as a single server is).
    await admin("system.updateSettings", { ollamaHosts: [c.url, b.url] });
    const res = await turn(2_000, false, "small");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-offload-lane"), res.headers.get("x-offload-reason") ?? "").toBe("local");
    expect([chats(a), chats(b), chats(c)]).toEqual([before[0], before[1], before[2]! + 1]);
    const h = await admin<HealthStatusView>("health.status", null, true);
    expect(h.ollamaHostsSource).toBe("setting");
    expect(h.ollamaHosts).toEqual([c.url, b.url]);
    await expect(admin("system.updateSettings", { ollamaHosts: ["gpu1:11434"] })).rejects.toThrow(/ollamaHosts/);
  });
});
