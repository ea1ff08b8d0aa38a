// Test helper: an Anthropic-compatible server written to the published Messages API:
// POST /v1/messages (JSON, or server-sent events with message_start, ping, content_block_start/
// delta/stop for text, thinking and tool_use, message_delta with usage, message_stop) and
// POST /v1/messages/count_tokens. Errors in Anthropic's shape with a request-id header.
import { randomBytes } from "node:crypto";
import type http from "node:http";
import { sendJson, sleep, startFakeServer, type FakeHandle, type RecordedRequest } from "./fake-server";

export type AnthropicUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  ephemeral_5m_input_tokens: number;
  ephemeral_1h_input_tokens: number;
};

export type AnthropicReply = {
  text?: string;
  thinking?: string;
  toolUses?: { name: string; input: Record<string, unknown> }[];
  stopReason?: string;
  usage?: Partial<AnthropicUsage>;
  delayMs?: number;
};

export type FakeAnthropic = FakeHandle & {
  setReply(reply: ((body: any) => AnthropicReply) | null): void;
  /** Headers added to every successful answer, as Anthropic adds its rate-limit and organization headers. */
  setResponseHeaders(headers: Record<string, string>): void;
};

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

type Block = { type: string; text?: string; content?: unknown };
type Body = {
  model?: string;
  system?: string | Block[];
  messages?: { role: string; content: string | Block[] }[];
  stream?: boolean;
  tools?: unknown[];
};

function textOf(content: string | Block[] | undefined): string {
  if (typeof content === "string") return content;
  return (content ?? [])
    .map((b) =>
      typeof b.text === "string" ? b.text : typeof b.content === "string" ? b.content : JSON.stringify(b.content ?? ""),
    )
    .join("\n");
}

function estimateInput(body: Body): number {
  const chars =
    textOf(body.system).length +
    (body.messages ?? []).reduce((n, m) => n + textOf(m.content).length, 0) +
    JSON.stringify(body.tools ?? []).length;
  return Math.max(1, Math.ceil(chars / 4));
}

function errorBody(status: number, message?: string) {
  return {
    type: "error",
    error: { type: ERROR_TYPES[status] ?? "api_error", message: message ?? `fake anthropic answered ${status}` },
    request_id: id("req"),
  };
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  let reply: ((body: any) => AnthropicReply) | null = null;
  let responseHeaders: Record<string, string> = {};

  const authorised = (req: RecordedRequest, res: http.ServerResponse) => {
    // The API takes the key as x-api-key or, as SDK 1.x sends it, Authorization: Bearer.
    if (req.headers["x-api-key"] || /^Bearer \S/.test(req.headers.authorization ?? "")) return true;
    sendJson(res, 401, errorBody(401, "x-api-key or authorization header is required"), { "request-id": id("req") });
    return false;
  };

  const messages = async (req: RecordedRequest, res: http.ServerResponse) => {
    if (!authorised(req, res)) return;
    const body = req.body as Body | null;
    if (!body || typeof body !== "object" || !body.model || !Array.isArray(body.messages))
      return sendJson(res, 400, errorBody(400, "model and messages are required"));
    const lastUser = textOf([...body.messages].reverse().find((m) => m.role === "user")?.content);
    const r: AnthropicReply = reply?.(body) ?? { text: `claude: ${lastUser.slice(0, 40)}` };
    if (r.delayMs) await sleep(r.delayMs);

    const content: Record<string, unknown>[] = [];
    if (r.thinking)
      content.push({ type: "thinking", thinking: r.thinking, signature: randomBytes(24).toString("base64") });
    if (r.text !== undefined) content.push({ type: "text", text: r.text });
    for (const t of r.toolUses ?? []) content.push({ type: "tool_use", id: id("toolu"), name: t.name, input: t.input });
    const outputText = textOf(
      content.map((c) => ({ type: "text", text: String(c.text ?? c.thinking ?? JSON.stringify(c.input ?? "")) })),
    );
    const u: AnthropicUsage = {
      input_tokens: estimateInput(body),
      output_tokens: Math.max(1, Math.ceil(outputText.length / 4)),
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      ephemeral_5m_input_tokens: 0,
      ephemeral_1h_input_tokens: 0,
      ...r.usage,
    };
    const usage = {
      input_tokens: u.input_tokens,
      cache_creation_input_tokens: u.cache_creation_input_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens,
      cache_creation: {
        ephemeral_5m_input_tokens: u.ephemeral_5m_input_tokens,
        ephemeral_1h_input_tokens: u.ephemeral_1h_input_tokens,
      },
      output_tokens: u.output_tokens,
      service_tier: "standard",
    };
    const stopReason = r.stopReason ?? (r.toolUses?.length ? "tool_use" : "end_turn");
    const message = {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model: body.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage,
    };
    const requestId = id("req");

    if (!body.stream) return sendJson(res, 200, message, { "request-id": requestId, ...responseHeaders });

    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": requestId,
      ...responseHeaders,
    });
    const event = (type: string, data: Record<string, unknown>) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const pieces = (s: string) => s.match(/[\s\S]{1,10}/g) ?? [];
    event("message_start", {
      message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    });
    event("ping", {});
    content.forEach((block, index) => {
      if (block.type === "text") {
        event("content_block_start", { index, content_block: { type: "text", text: "" } });
        for (const p of pieces(String(block.text)))
          event("content_block_delta", { index, delta: { type: "text_delta", text: p } });
      } else if (block.type === "thinking") {
        event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
        for (const p of pieces(String(block.thinking)))
          event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: p } });
        event("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature } });
      } else {
        event("content_block_start", {
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        });
        for (const p of pieces(JSON.stringify(block.input)))
          event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: p } });
      }
      event("content_block_stop", { index });
    });
    event("message_delta", {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
      },
    });
    event("message_stop", {});
    res.end();
  };

  const handle = await startFakeServer({
    errorBody: (status) => errorBody(status),
    errorHeaders: (status): Record<string, string> => ({
      "request-id": id("req"),
      ...(status === 429 ? { "retry-after": "30" } : {}),
    }),
    routes: {
      "POST /v1/messages": messages,
      "POST /v1/messages/count_tokens": (req, res) => {
        if (!authorised(req, res)) return;
        const body = req.body as Body | null;
        if (!body || typeof body !== "object" || !Array.isArray(body.messages))
          return sendJson(res, 400, errorBody(400, "messages: Field required"));
        sendJson(res, 200, { input_tokens: estimateInput(body) }, { "request-id": id("req"), ...responseHeaders });
      },
    },
  });
  return Object.assign(handle, {
    setReply(fn: ((body: any) => AnthropicReply) | null) {
      reply = fn;
    },
    setResponseHeaders(headers: Record<string, string>) {
      responseHeaders = headers;
    },
  });
}
