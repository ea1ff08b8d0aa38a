// Test helper: the three endpoints the sidecar speaks to, as the task queue and the gateway answer
// them, on 127.0.0.1: claim (`GET /api/v1/tasks/next`, 204 when empty), complete (recorded; 409 on
// demand) and the gateway's `POST /v1/messages` (an Anthropic-shaped answer with the x-offload-*
// headers, or an error on demand). Every request needs the agent's key. The sidecar's unit tests
// run against it; server/sidecar/sidecar-on-task-queue.test.ts runs the sidecar on the real queue.
import http from "node:http";

export type FakeTask = {
  id: string;
  title: string;
  description: string;
  taskType: string | null;
  lane: "sidecar" | "local" | "local_careful" | "claude";
  model: string | null;
  agentModel: string;
  payload: unknown;
  priority: number;
  attempt: number;
  claimExpiresAt: string;
};

export type Recorded<B = unknown> = { method: string; url: string; headers: http.IncomingHttpHeaders; body: B };

export type RecordedCompletion = Recorded<{
  status: "done" | "failed";
  result?: unknown;
  error?: string;
  turns?: number;
  executedBy: string;
  escalated?: boolean;
}> & { id: string };

export type RecordedMessages = Recorded<{
  model: string;
  max_tokens: number;
  messages: { role: string; content: string }[];
}>;

export type FakeTaskQueue = {
  url: string;
  key: string;
  /** Queues a task (defaults for what is not given); claims hand them out in order. */
  add(task: Partial<FakeTask>): FakeTask;
  claims: Recorded[];
  completions: RecordedCompletion[];
  messages: RecordedMessages[];
  /** The status the completion of a task id answers (default 200): 409 for a lost claim; a list is
   * answered one per request, its last one from then on. */
  completeStatus: Map<string, number | number[]>;
  /** The gateway's next answers are this error until set back to null. */
  gatewayError: { status: number; message: string } | null;
  /** How long the gateway takes to answer, ms (0 by default). */
  gatewayDelayMs: number;
  /** The claim endpoint's answers are this error until set back to null. */
  claimError: { status: number; message: string } | null;
  close(): Promise<void>;
};

const errorBody = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message } });

export async function startFakeTaskQueue(key = "ofk_test_sidecar_key"): Promise<FakeTaskQueue> {
  const pending: FakeTask[] = [];
  let next = 1;
  let turns = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // kept as text
      }
      const recorded: Recorded = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
      const url = new URL(recorded.url, "http://127.0.0.1");
      const send = (status: number, payload?: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, payload ? { "content-type": "application/json", ...headers } : headers).end(payload);
      if (req.headers["x-api-key"] !== key) return send(401, errorBody("authentication_error", "invalid API key"));

      if (recorded.method === "GET" && url.pathname === "/api/v1/tasks/next") {
        handle.claims.push(recorded);
        if (handle.claimError) return send(handle.claimError.status, errorBody("api_error", handle.claimError.message));
        const task = pending.shift();
        return task ? send(200, JSON.stringify(task)) : send(204);
      }
      const complete = /^\/api\/v1\/tasks\/([^/]+)\/complete$/.exec(url.pathname);
      if (recorded.method === "POST" && complete) {
        const id = decodeURIComponent(complete[1]!);
        handle.completions.push({ ...(recorded as Omit<RecordedCompletion, "id">), id });
        const planned = handle.completeStatus.get(id) ?? 200;
        const status = Array.isArray(planned) ? (planned.length > 1 ? planned.shift()! : (planned[0] ?? 200)) : planned;
        return status === 200
          ? send(200, JSON.stringify({ id, status: (body as { status?: string }).status }))
          : status === 409
            ? send(409, errorBody("invalid_request_error", `the claim on ${id} expired`))
            : send(status, errorBody("api_error", "the queue is unavailable"));
      }
      if (recorded.method === "POST" && url.pathname === "/v1/messages") {
        handle.messages.push(recorded as RecordedMessages);
        if (handle.gatewayDelayMs > 0) {
          const delay = handle.gatewayDelayMs;
          return void setTimeout(() => answerMessages(body, send), delay);
        }
        return answerMessages(body, send);
      }
      send(404, errorBody("not_found_error", `no route ${recorded.method} ${url.pathname}`));
    });
  });

  const answerMessages = (
    body: unknown,
    send: (status: number, payload?: string, headers?: Record<string, string>) => void,
  ): void => {
    const model = (body as { model?: string }).model ?? "unknown";
    if (handle.gatewayError)
      return send(handle.gatewayError.status, errorBody("api_error", handle.gatewayError.message), {
        "x-offload-lane": "none",
        "x-offload-model": model,
      });
    turns++;
    return send(
      200,
      JSON.stringify({
        id: `msg_${turns}`,
        type: "message",
        role: "assistant",
        model,
        content: [
          { type: "text", text: "Done: " },
          { type: "text", text: `answered turn ${turns}` },
        ],
        stop_reason: "end_turn",
        usage: { input_tokens: 10, output_tokens: 5 },
      }),
      { "x-offload-lane": "claude", "x-offload-model": model, "x-offload-turn-id": `turn-${turns}` },
    );
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  const handle: FakeTaskQueue = {
    url: `http://127.0.0.1:${port}`,
    key,
    add(task) {
      const full: FakeTask = {
        id: `task-${next++}`,
        title: "a task",
        description: "",
        taskType: null,
        lane: "sidecar",
        model: null,
        agentModel: "claude-sonnet-4-5",
        payload: null,
        priority: 0,
        attempt: 1,
        claimExpiresAt: new Date(Date.now() + 300_000).toISOString(),
        ...task,
      };
      pending.push(full);
      return full;
    },
    claims: [],
    completions: [],
    messages: [],
    completeStatus: new Map(),
    gatewayError: null,
    gatewayDelayMs: 0,
    claimError: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
