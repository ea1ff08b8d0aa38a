// GET /metrics after real gateway turns (served by the route handlers on PGlite, against the fake
// Anthropic and a fake Ollama that is down): the requests, turns, tokens, cost and escalations are
// counted by lane, model and agent, the turn writer's depth and the Ollama verdict are there, no
// prompt text and no key ever; and the endpoint's access: open on a loopback-only install, the
// metrics token or the admin token once either is set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { addAgent } from "@/server/agents/manage-agents";
import { testDatabases } from "@/server/testing/test-databases";
import { serveHandlers, type ServedHandlers } from "@/server/testing/serve-handlers";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { resetEnv } from "@/server/process/env";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { handleMetrics } from "./handle-metrics";
import { escalationReason, setOllamaVerdict } from "./offload-metrics";

const savedEnv = { ...process.env };
const [pglite] = testDatabases();

/** The value of one series in the exposition (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("GET /metrics", () => {
  let db: Db;
  let claude: FakeAnthropic;
  let offload: ServedHandlers;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await pglite!.create();
    await seedCatalogue(db);
    claude = await startFakeAnthropic();
    Object.assign(process.env, {
      ANTHROPIC_API_KEY: "sk-ant-metrics-operator",
      ANTHROPIC_BASE_URL: claude.url,
      OLLAMA_HOST: "http://127.0.0.1:9", // nobody listens: local turns escalate to Claude
    });
    delete process.env.OFFLOAD_ADMIN_TOKEN;
    delete process.env.OFFLOAD_METRICS_TOKEN;
    resetEnv();
    resetTurnWriter();
    invalidateGatewayState();
    configureTurnWriter(async () => db);
    keys.reviewer = (await addAgent(db, { id: "reviewer", pin: "claude" })).key;
    keys.poller = (await addAgent(db, { id: "poller", pin: "local" })).key;
    offload = await serveHandlers(db);
  });
  afterAll(async () => {
    await offload?.close();
    await claude?.close();
    resetTurnWriter();
    await pglite!.cleanup();
    process.env = { ...savedEnv };
    resetEnv();
  });

  const scrape = async (headers: Record<string, string> = {}) => {
    const res = await handleMetrics(new Request("http://127.0.0.1/metrics", { headers }));
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  };
  const turn = (agent: string, text: string) =>
    fetch(`${offload.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": keys[agent]!, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 16, messages: [{ role: "user", content: text }] }),
    });

  it("counts requests, turns, tokens, cost and escalations by lane, model and agent, and nothing secret", async () => {
    const before = (await scrape()).text;
    claude.setReply(() => ({ text: "ok", usage: { input_tokens: 1_000, output_tokens: 50 } }));
    for (let i = 0; i < 3; i++)
      expect((await turn("reviewer", `review change ${i} of the billing code`)).status).toBe(200);
    expect((await turn("poller", "poll the mailbox for new messages")).status).toBe(200);
    const bad = await fetch(`${offload.url}/v1/messages`, { method: "POST", body: "{}" });
    expect(bad.status).toBe(401);
    await flushTurns();
    setOllamaVerdict("http://127.0.0.1:9", "down");

    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const delta = (series: string) => value(text, series) - value(before, series);
    expect(delta('offload_requests_total{endpoint="/v1/messages",lane="claude",status="200"}')).toBe(4);
    expect(delta('offload_requests_total{endpoint="/v1/messages",lane="none",status="401"}')).toBe(1);
    expect(delta('offload_request_duration_seconds_count{endpoint="/v1/messages",lane="claude"}')).toBe(4);
    const reviewer = 'lane="claude",model="claude-opus-4-6",agent="reviewer"';
    expect(delta(`offload_turns_total{${reviewer},status="ok",source="gateway"}`)).toBe(3);
    expect(delta(`offload_tokens_total{${reviewer},kind="input"}`)).toBe(3_000);
    expect(delta(`offload_tokens_total{${reviewer},kind="output"}`)).toBe(150);
    // Opus 4.6: $5 in and $25 out per million tokens: 1,000 in and 50 out are 6,250 micro-dollars a turn.
    expect(delta(`offload_cost_microusd_total{${reviewer}}`)).toBe(18_750);
    // The poller's local attempt escalated (Ollama refuses connections), then Claude answered.
    const escalations = text.split("\n").filter((l) => l.startsWith("offload_escalations_total{"));
    expect(escalations.length).toBeGreaterThan(0);
    expect(delta('offload_turns_total{lane="claude",model="claude-opus-4-6",agent="poller",status="ok",source="gateway"}')).toBe(1); // prettier-ignore
    expect(value(text, 'offload_ollama_verdict{host="http://127.0.0.1:9",verdict="down"}')).toBe(1);
    expect(value(text, 'offload_ollama_verdict{host="http://127.0.0.1:9",verdict="up"}')).toBe(0);
    expect(text).toContain('offload_turn_writer{state="pending"} 0');
    expect(text).toContain('offload_turn_writer{state="dead_lettered"} 0');
    expect(text).toContain("offload_process_resident_memory_bytes");
    expect(text).not.toMatch(/billing code|mailbox for new/);
    for (const key of [...Object.values(keys), "sk-ant-metrics-operator"]) expect(text).not.toContain(key);
  });

  it("is open on a loopback-only install, and takes the metrics or the admin token once one is set", async () => {
    expect((await scrape()).status).toBe(200);
    process.env.OFFLOAD_ADMIN_TOKEN = "admin-token-for-metrics-0123";
    process.env.OFFLOAD_METRICS_TOKEN = "metrics-token-0123456789";
    resetEnv();
    try {
      const refused = await scrape();
      expect(refused.status).toBe(401);
      expect(refused.text).toContain("OFFLOAD_METRICS_TOKEN");
      expect((await scrape({ authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
      expect((await scrape({ authorization: "Bearer metrics-token-0123456789" })).status).toBe(200);
      expect((await scrape({ authorization: "Bearer admin-token-for-metrics-0123" })).status).toBe(200);
      expect((await scrape({ "x-api-key": keys.reviewer! })).status).toBe(401); // an agent key is not enough
    } finally {
      delete process.env.OFFLOAD_ADMIN_TOKEN;
      delete process.env.OFFLOAD_METRICS_TOKEN;
      resetEnv();
    }
  });

  it("buckets an escalation's reason into a short label", () => {
    expect(
      escalationReason("classified as polling (0.93); escalated to claude: ollama down: connect ECONNREFUSED"),
    ).toBe("ollama down");
    expect(escalationReason("local answer failed the check: empty answer after 1234 ms")).toBe(
      "local answer failed the check",
    );
    expect(escalationReason("ollama: 500 model runner crashed")).toBe("ollama model runner crashed");
    expect(escalationReason(null)).toBe("unknown");
  });
});
