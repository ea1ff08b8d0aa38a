// Tier 0 end to end (issue 16): `npm start`'s server, ten seed-style tasks queued over REST with an
// agent's key, and `offload sidecar --once` next to the agent (its work dir a git repository, a
// mailbox HTTP server allowed). The six mechanical tasks run as scripts with no model and cost
// nothing; the four that need a model go through the gateway to the fake Ollama (heartbeat, status
// report) and the fake Anthropic (code review, architecture); and the dashboard's numbers (the
// Fleet page's totals, the agent's turns, the Tasks page's counts and the sidecar's avoided cost)
// agree with what happened.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type StartedServer } from "@/server/testing/start-server";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/testing/fake-anthropic";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { runCli } from "@/server/testing/run-node";
import { callAdmin } from "@/server/testing/call-admin";

let claude: FakeAnthropic;
let ollama: FakeOllama;
let server: StartedServer;
let mailbox: http.Server;
let mailboxHost = "";
const mailboxHits: { method: string; url: string; body: string }[] = [];
const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-sidecar-e2e-"));

function git(...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], {
    cwd: workdir,
    encoding: "utf8",
  });
}

const admin = <T>(procedure: string, input: unknown, method: "GET" | "POST" = "GET") =>
  callAdmin<T>(server, procedure, input, { query: method === "GET" });

beforeAll(async () => {
  claude = await startFakeAnthropic();
  ollama = await startFakeOllama();
  mailbox = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      mailboxHits.push({ method: req.method ?? "", url: req.url ?? "", body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.method === "GET" ? JSON.stringify({ messages: [{ id: 7, text: "deploy at 5" }] }) : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => mailbox.listen(0, "127.0.0.1", resolve));
  mailboxHost = `127.0.0.1:${(mailbox.address() as { port: number }).port}`;
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(workdir, "README.md"), "# work\n");
  git("add", "README.md");
  git("commit", "-q", "-m", "start");
  server = await startServer({
    env: {
      OFFLOAD_DEMO: "off",
      ANTHROPIC_API_KEY: "sk-ant-operator",
      ANTHROPIC_BASE_URL: claude.url,
      OLLAMA_HOST: ollama.url,
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await claude?.close();
  await ollama?.close();
  await new Promise((resolve) => mailbox?.close(resolve));
  fs.rmSync(workdir, { recursive: true, force: true });
});

describe("the task queue and the sidecar, end to end", () => {
  it("runs the mechanical tasks with no model, the rest through the gateway, and the dashboard agrees", async () => {
    const { key } = await admin<{ key: string }>("agents.add", { id: "worker", name: "Worker" }, "POST");
    claude.setReply(() => ({ text: "Looks right; one nit.", usage: { input_tokens: 1_200, output_tokens: 80 } }));
    ollama.setReply(() => ({ content: "HEARTBEAT_OK", promptTokens: 300, outputTokens: 4 }));

    // History the scripts' avoided cost is estimated from: two file writes the agent once did on Claude (reported).
    const reported = await fetch(`${server.url}/api/v1/turns`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        turns: [1, 2].map(() => ({
          model: "claude-opus-4-6",
          taskType: "file-write-literal",
          lane: "claude",
          usage: { input_tokens: 2_000, output_tokens: 100 },
        })),
      }),
    });
    expect(reported.status, await reported.text()).toBe(201);

    const tasks: { title: string; payload?: unknown; expect: "sidecar" | "local" | "claude" }[] = [
      { title: "Write the standup notes", payload: { action: "file.write", path: "notes/standup.md", content: "- shipped the queue\n" }, expect: "sidecar" }, // prettier-ignore
      { title: "Append to the standup notes", payload: { action: "file.append", path: "notes/standup.md", content: "- next: the sidecar\n" }, expect: "sidecar" }, // prettier-ignore
      {
        title: "Read the standup notes",
        payload: { action: "file.read", path: "notes/standup.md" },
        expect: "sidecar",
      },
      { title: "Is the tree clean?", payload: { action: "git.status" }, expect: "sidecar" },
      {
        title: "Poll the mailbox",
        payload: { action: "http.get", url: `http://${mailboxHost}/inbox` },
        expect: "sidecar",
      },
      { title: "Ack message 7", payload: { action: "http.post_json", url: `http://${mailboxHost}/ack`, body: { id: 7 } }, expect: "sidecar" }, // prettier-ignore
      { title: "Heartbeat: check HEARTBEAT.md and reply HEARTBEAT_OK if nothing needs attention", expect: "local" },
      { title: "Post the status report for sprint 42 to #ops", expect: "local" },
      { title: "Review PR 128: the auth refactor, check the token expiry logic", expect: "claude" },
      { title: "Decide the architecture for splitting the billing service", expect: "claude" },
    ];
    const ids: string[] = [];
    for (const t of tasks) {
      const res = await fetch(`${server.url}/api/v1/tasks`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({ title: t.title, ...(t.payload ? { payload: t.payload } : {}) }),
      });
      const body = (await res.json()) as { id: string; lane: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.lane === "sidecar" ? "sidecar" : body.lane === "claude" ? "claude" : "local", t.title).toBe(t.expect);
      ids.push(body.id);
    }

    const run = await runCli(
      [
        "sidecar",
        "--agent",
        "worker",
        "--url",
        server.url,
        "--workdir",
        workdir,
        "--allow-host",
        mailboxHost,
        "--once",
      ],
      { OFFLOAD_API_KEY: key, DATABASE_URL: undefined, OFFLOAD_ADMIN_TOKEN: undefined },
      180_000,
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(10);
    expect(run.stdout).not.toContain(key);

    // Every task ended as its lane says: scripts with zero turns, the rest escalated through the gateway.
    const ended = await Promise.all(
      ids.map(async (id) => {
        const res = await fetch(`${server.url}/api/v1/tasks/${id}`, { headers: { "x-api-key": key } });
        return (await res.json()) as any;
      }),
    );
    tasks.forEach((t, i) => {
      const task = ended[i];
      expect(task.status, `${t.title}: ${JSON.stringify(task)}`).toBe("done");
      if (t.expect === "sidecar") expect(task).toMatchObject({ escalated: false, turnsUsed: 0, executedBy: "sidecar" });
      else expect(task).toMatchObject({ escalated: true, turnsUsed: 1, result: { lane: t.expect } });
    });
    expect(fs.readFileSync(path.join(workdir, "notes/standup.md"), "utf8")).toBe(
      "- shipped the queue\n- next: the sidecar\n",
    );
    expect(ended[2].result).toMatchObject({
      action: "file.read",
      content: "- shipped the queue\n- next: the sidecar\n",
    });
    expect(ended[3].result.stdout).toContain("## main");
    expect(ended[4].result).toMatchObject({ status: 200, body: { messages: [{ id: 7, text: "deploy at 5" }] } });
    expect(mailboxHits.map((h) => `${h.method} ${h.url} ${h.body}`)).toEqual(["GET /inbox ", 'POST /ack {"id":7}']);
    // Exactly the two Claude tasks reached Claude, and the two local ones the local model.
    expect(claude.requests.filter((r) => r.path === "/v1/messages")).toHaveLength(2);
    expect(ollama.requests.filter((r) => r.path === "/api/chat")).toHaveLength(2);

    // The dashboard: ten turns today and the two reported, six of them sidecar scripts at no cost, the
    // Claude spend the two gateway Claude turns' (reported turns are shown apart, not metered).
    type Totals = { turns: number; claudeTurns: number; claudeSpendMicroUsd: string; counterfactualMicroUsd: string };
    let worker: { today: Totals } | undefined;
    for (let i = 0; i < 50; i++) {
      const fleet = await admin<{ agents: { id: string; today: Totals }[] }>("fleet.overview", undefined);
      worker = fleet.agents.find((a) => a.id === "worker");
      if (worker?.today.turns === 12) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(worker?.today.turns).toBe(12);
    const detail = await admin<{
      recentTurns: {
        lane: string;
        source: string;
        costMicroUsd: string | null;
        inputTokens: number;
        outputTokens: number;
      }[];
    }>("fleet.agent", { id: "worker" });
    const byLane = (lane: string) => detail.recentTurns.filter((t) => t.lane === lane && t.source !== "reported");
    expect(byLane("sidecar")).toHaveLength(6);
    expect(byLane("sidecar").every((t) => t.costMicroUsd === "0" && t.inputTokens === 0 && t.outputTokens === 0)).toBe(
      true,
    );
    expect(byLane("claude")).toHaveLength(2);
    const claudeCost = byLane("claude").reduce((sum, t) => sum + BigInt(t.costMicroUsd ?? "0"), 0n);
    expect(claudeCost).toBeGreaterThan(0n);
    expect(BigInt(worker!.today.claudeSpendMicroUsd)).toBe(claudeCost);

    const overview = await admin<{
      counts: { lane: string; status: string; tasks: number }[];
      sidecar: { tasks: number; avoidedUsd: number };
    }>("tasks.overview", {});
    const done = (lane: string) =>
      overview.counts.filter((c) => c.lane === lane && c.status === "done").reduce((n, c) => n + c.tasks, 0);
    expect(done("sidecar")).toBe(6);
    expect(done("claude")).toBe(2);
    expect(done("local") + done("local_careful")).toBe(2);
    expect(overview.sidecar.tasks).toBe(6);
    // Each script avoided what a turn of its task type cost on Claude on average over 30 days: the
    // file writes their reported turns' cost, the others the fleet's average; all of it above zero.
    expect(overview.sidecar.avoidedUsd).toBeGreaterThan(0);
  });
});
