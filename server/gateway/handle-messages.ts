// POST /v1/messages: authenticate the agent, decide the lane, serve the turn from Ollama or Claude,
// answer in the Anthropic Messages shape (streaming or not), and meter the turn afterwards.
import "server-only";
import crypto from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import type { ChatResponse } from "ollama";
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { hashAgentKey } from "@/server/agents/agent-key";
import { bearerToken } from "@/server/auth/admin-auth";
import { describeZodError } from "@/server/core/errors";
import { classifyTask } from "@/server/core/classifier/classify-task";
import { decideRoute, RouteError, type RouteDecision } from "@/server/core/routing/decide-route";
import { LANE_TIER, type Lane } from "@/server/core/lanes";
import { priceClaudeTurn, priceLocalTurn } from "@/server/core/cost/price-turn";
import { usageFromAnthropic, type AnthropicUsage as ProviderUsage } from "@/server/core/cost/usage-from-anthropic";
import { electricityMicroUsdPerKwh } from "@/server/core/settings-defaults";
import { asksForJson, checkLocalAnswer } from "@/server/core/gateway/check-local-answer";
import { estimateTokens, fitLocalContext, keepAliveMinutes } from "@/server/core/gateway/local-request-policy";
import type { TurnRecord, TurnStatus } from "@/server/core/turn-record";
import { anthropicClient } from "@/server/providers/anthropic-client";
import { ollamaClient } from "@/server/providers/ollama-client";
import { gatewayState, type GatewayAgent, type GatewayState } from "./gateway-state";
import {
  lastUserText,
  messagesRequestSchema,
  promptCharacters,
  textOf,
  type MessagesRequest,
} from "./messages-request";
import {
  fromOllamaChat,
  messageId,
  nsToMs,
  stripThink,
  toOllamaChat,
  toolUseId,
  usageOf,
  stopReasonOf,
  type AnthropicMessage,
} from "./ollama-translate";
import { AnthropicSseWriter } from "./sse";
import { beginRequest, endRequest, enqueueTurns } from "./turn-writer";

const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Turn = {
  decision: RouteDecision;
  agent: GatewayAgent;
  state: GatewayState;
  body: MessagesRequest;
  startedAt: Date;
  t0: number;
};

class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function anthropicError(
  status: number,
  type: string,
  message: string,
  extra: { field?: string; headers?: Record<string, string> } = {},
): Response {
  return Response.json(
    { type: "error", error: { type, message, ...(extra.field ? { field: extra.field } : {}) } },
    { status, headers: extra.headers },
  );
}

async function readBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES)
    throw new GatewayError(
      413,
      "request_too_large",
      `the request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`,
    );
  if (!request.body)
    throw new GatewayError(400, "invalid_request_error", "the request body is empty; send a JSON object");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      throw new GatewayError(
        413,
        "request_too_large",
        `the request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`,
      );
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim())
    throw new GatewayError(400, "invalid_request_error", "the request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError(
      400,
      "invalid_request_error",
      `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

async function authenticate(db: Db, state: GatewayState, headers: Headers): Promise<GatewayAgent> {
  const key = headers.get("x-api-key")?.trim() || bearerToken(headers);
  if (!key)
    throw new GatewayError(
      401,
      "authentication_error",
      "send the agent's Offload key as x-api-key or Authorization: Bearer",
    );
  const hash = hashAgentKey(key);
  const cached = state.agentsByKeyHash.get(hash);
  if (cached) return cached;
  // Not in the one-second snapshot: a key issued a moment ago, or a wrong one.
  const agent = await db.prisma.agent.findUnique({
    where: { apiKeyHash: hash },
    select: { id: true, pin: true, localModel: true, claudeModel: true, heartbeatMinutes: true, removedAt: true },
  });
  if (!agent || agent.removedAt) throw new GatewayError(401, "authentication_error", "invalid x-api-key");
  return agent;
}

function offloadHeaders(lane: Lane, model: string, turnId: string): Record<string, string> {
  return { "x-offload-lane": lane, "x-offload-model": model, "x-offload-turn-id": turnId };
}

function baseRecord(
  turn: Turn,
  fields: Partial<TurnRecord> & Pick<TurnRecord, "id" | "lane" | "servedModel" | "status">,
): TurnRecord {
  return {
    agentId: turn.agent.id,
    taskTypeId:
      turn.decision.taskType && turn.state.taskTypes.some((t) => t.id === turn.decision.taskType)
        ? turn.decision.taskType
        : null,
    requestedModel: turn.body.model,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    latencyMs: Math.round(performance.now() - turn.t0),
    generationMs: null,
    loadMs: null,
    escalatedFromTurnId: null,
    reason: turn.decision.reason,
    errorMessage: null,
    costMicroUsd: null,
    counterfactualMicroUsd: null,
    source: "gateway",
    startedAt: turn.startedAt,
    ...fields,
  };
}

// ---------------------------------------------------------------- Claude

function claudeRecord(
  turn: Turn,
  id: string,
  model: string,
  usage: ProviderUsage | null,
  status: TurnStatus,
  extra: Partial<TurnRecord> = {},
): TurnRecord {
  const tokens = usageFromAnthropic(usage);
  const cost = priceClaudeTurn(model, tokens, turn.state.prices);
  return baseRecord(turn, {
    id,
    lane: "claude",
    servedModel: model,
    status,
    ...tokens,
    costMicroUsd: cost.costMicroUsd,
    counterfactualMicroUsd: cost.costMicroUsd,
    ...extra,
  });
}

function claudeErrorResponse(err: unknown): GatewayError {
  if (err instanceof Anthropic.APIError && typeof err.status === "number") {
    const headers: Record<string, string> = {};
    for (const h of [
      "retry-after",
      "request-id",
      "anthropic-ratelimit-requests-reset",
      "anthropic-ratelimit-tokens-reset",
    ]) {
      const v = err.headers?.get(h);
      if (v) headers[h] = v;
    }
    const body = err.error as { error?: { type?: string; message?: string } } | undefined;
    return new GatewayError(
      err.status,
      body?.error?.type ?? "api_error",
      body?.error?.message ?? err.message,
      undefined,
      headers,
    );
  }
  return new GatewayError(502, "api_error", `could not reach Claude: ${(err as Error).message}`);
}

async function serveClaude(turn: Turn, reason: string, escalatedFrom: string | null): Promise<Response> {
  const id = crypto.randomUUID();
  const model = turn.decision.lane === "claude" ? turn.decision.model! : turn.agent.claudeModel;
  const client = anthropicClient();
  const extra: Partial<TurnRecord> = { reason, escalatedFromTurnId: escalatedFrom };
  if (!client) {
    enqueueTurns(
      claudeRecord(turn, id, model, null, "error", { ...extra, errorMessage: "ANTHROPIC_API_KEY is not set" }),
    );
    throw new GatewayError(
      503,
      "api_error",
      "this turn goes to Claude, and Offload has no ANTHROPIC_API_KEY configured",
    );
  }
  const headers = offloadHeaders("claude", model, id);
  const body = { ...turn.body, model };
  if (!turn.body.stream) {
    try {
      const { data, response } = await client.messages
        .create({ ...(body as Anthropic.MessageCreateParamsNonStreaming), stream: false })
        .withResponse();
      enqueueTurns(claudeRecord(turn, id, data.model ?? model, data.usage as ProviderUsage, "ok", extra));
      const requestId = response.headers.get("request-id");
      return Response.json(data, { headers: { ...headers, ...(requestId ? { "request-id": requestId } : {}) } });
    } catch (err) {
      const gw = claudeErrorResponse(err);
      enqueueTurns(
        claudeRecord(turn, id, model, null, "error", { ...extra, errorMessage: `${gw.status} ${gw.message}` }),
      );
      throw gw;
    }
  }
  let raw: Response;
  try {
    raw = await client.messages
      .create({ ...(body as Anthropic.MessageCreateParamsStreaming), stream: true })
      .asResponse();
  } catch (err) {
    const gw = claudeErrorResponse(err);
    enqueueTurns(
      claudeRecord(turn, id, model, null, "error", { ...extra, errorMessage: `${gw.status} ${gw.message}` }),
    );
    throw gw;
  }
  // Pass Claude's bytes through unchanged; read the usage from message_start and message_delta on the way.
  const usage: ProviderUsage = {};
  let servedModel = model;
  let buffer = "";
  let failed: string | null = null;
  const decoder = new TextDecoder();
  const scan = (chunk: Uint8Array) => {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").find((l) => l.startsWith("data:"));
      if (!data) continue;
      try {
        const parsed = JSON.parse(data.slice(5)) as {
          type?: string;
          message?: { model?: string; usage?: ProviderUsage };
          usage?: ProviderUsage;
          error?: { message?: string };
        };
        if (parsed.type === "message_start") {
          Object.assign(usage, parsed.message?.usage ?? {});
          servedModel = parsed.message?.model ?? servedModel;
        } else if (parsed.type === "message_delta" && parsed.usage) {
          for (const [k, v] of Object.entries(parsed.usage))
            if (v !== null && v !== undefined) (usage as Record<string, unknown>)[k] = v;
        } else if (parsed.type === "error") failed = parsed.error?.message ?? "stream error";
      } catch {
        // not JSON: passed through untouched, nothing to meter
      }
    }
  };
  let recorded = false;
  const record = (status: TurnStatus, errorMessage: string | null) => {
    if (recorded) return;
    recorded = true;
    enqueueTurns(claudeRecord(turn, id, servedModel, usage, status, { ...extra, errorMessage }));
  };
  const stream = raw.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        scan(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        record(failed ? "error" : "ok", failed);
      },
    }),
  );
  const requestId = raw.headers.get("request-id");
  return new Response(
    tapEnd(stream, () => record("error", "the agent disconnected before the end of the stream")),
    {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        ...headers,
        ...(requestId ? { "request-id": requestId } : {}),
      },
    },
  );
}

/** Calls `onCancel` when the reader (the agent) goes away early. */
function tapEnd(stream: ReadableStream<Uint8Array>, onCancel: () => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      onCancel();
      await reader.cancel(reason).catch(() => {});
    },
  });
}

// ---------------------------------------------------------------- Local

type LocalResult = { message: AnthropicMessage; loadMs: number; generationMs: number; evalMs: number };

function localSettings(turn: Turn) {
  const s = turn.state.settings;
  return {
    model: turn.decision.model!,
    contextTokens: s.localContextTokens,
    keepAliveMinutes: keepAliveMinutes(s.localKeepAliveMinutes, turn.state.longestHeartbeatMinutes),
  };
}

function localRecord(
  turn: Turn,
  id: string,
  lane: Lane,
  r: LocalResult | null,
  status: TurnStatus,
  extra: Partial<TurnRecord> = {},
): TurnRecord {
  const s = turn.state.settings;
  const model = r?.message.model ?? turn.decision.model!;
  const input = r?.message.usage.input_tokens ?? 0;
  const output = r?.message.usage.output_tokens ?? 0;
  const cost = priceLocalTurn(
    {
      generationMs: r?.generationMs ?? 0,
      promptTokens: input,
      outputTokens: output,
      claudeModel: turn.agent.claudeModel,
    },
    {
      gpuWatts: s.gpuWatts,
      electricityMicroUsdPerKwh: electricityMicroUsdPerKwh(s),
      counterfactualCachedShare: s.counterfactualCachedShare,
    },
    turn.state.prices,
  );
  return baseRecord(turn, {
    id,
    lane,
    servedModel: model,
    status,
    inputTokens: input,
    outputTokens: output,
    generationMs: r ? r.generationMs : null,
    evalMs: r ? r.evalMs : null,
    loadMs: r ? r.loadMs : null,
    costMicroUsd: cost.costMicroUsd,
    counterfactualMicroUsd: cost.counterfactualMicroUsd,
    ...extra,
  });
}

function localError(err: unknown, timeoutSeconds: number): string {
  const e = err as Error & { status_code?: number; cause?: { code?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError")
    return `the local model did not answer within ${timeoutSeconds} s`;
  if (e.cause?.code === "ECONNREFUSED") return "ollama refused the connection";
  return `ollama: ${e.message}`;
}

async function chatLocal(turn: Turn, signal: AbortSignal): Promise<LocalResult> {
  const request = toOllamaChat(turn.body, localSettings(turn), false);
  const r = await ollamaClient(signal).chat({ ...request, stream: false });
  return {
    message: fromOllamaChat(r, turn.body.thinking?.type === "enabled"),
    loadMs: nsToMs(r.load_duration),
    generationMs: nsToMs(r.prompt_eval_duration) + nsToMs(r.eval_duration),
    evalMs: nsToMs(r.eval_duration),
  };
}

function respondMessage(m: AnthropicMessage, stream: boolean, headers: Record<string, string>): Response {
  if (!stream) return Response.json(m, { headers });
  const chunks: Uint8Array[] = [];
  new AnthropicSseWriter((c) => chunks.push(c)).replay(m);
  return new Response(new Blob(chunks as BlobPart[]).stream(), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers },
  });
}

async function serveLocal(turn: Turn): Promise<Response> {
  const lane = turn.decision.lane;
  const settings = turn.state.settings;
  const signal = AbortSignal.timeout(settings.localTimeoutSeconds * 1000);
  const id = crypto.randomUUID();
  const escalate = async (why: string, r: LocalResult | null, status: TurnStatus) => {
    enqueueTurns(localRecord(turn, id, lane, r, status, { errorMessage: why }));
    return serveClaude(turn, `${turn.decision.reason}; escalated to claude: ${why}`, id);
  };

  if (lane === "local_careful" || !turn.body.stream) {
    let r: LocalResult;
    try {
      r = await chatLocal(turn, signal);
    } catch (err) {
      const why = localError(err, settings.localTimeoutSeconds);
      if (settings.escalateWhenLocalDown) return escalate(why, null, "escalated");
      enqueueTurns(localRecord(turn, id, lane, null, "error", { errorMessage: why }));
      throw new GatewayError(503, "api_error", `${why}; escalation to Claude is turned off`);
    }
    if (lane === "local_careful") {
      const wantsJson = asksForJson(`${textOf(turn.body.system)}\n${lastUserText(turn.body)}`);
      const tools = (turn.body.tools ?? []).map((t) => ({ name: t.name, input_schema: t.input_schema }));
      const check = checkLocalAnswer(r.message.content, { tools, wantsJson });
      if (!check.ok) return escalate(check.reason, r, "escalated");
    }
    enqueueTurns(localRecord(turn, id, lane, r, "ok"));
    return respondMessage(r.message, !!turn.body.stream, offloadHeaders(lane, r.message.model, id));
  }

  // Local lane, streaming: stream as Ollama generates. Nothing is sent before the first chunk, so a
  // local failure up to then can still go to Claude.
  const request = toOllamaChat(turn.body, localSettings(turn), true);
  let iterator: AsyncIterator<ChatResponse>;
  let first: IteratorResult<ChatResponse>;
  try {
    const it = await ollamaClient(signal).chat({ ...request, stream: true });
    iterator = it[Symbol.asyncIterator]();
    first = await iterator.next();
  } catch (err) {
    const why = localError(err, settings.localTimeoutSeconds);
    if (settings.escalateWhenLocalDown) return escalate(why, null, "escalated");
    enqueueTurns(localRecord(turn, id, lane, null, "error", { errorMessage: why }));
    throw new GatewayError(503, "api_error", `${why}; escalation to Claude is turned off`);
  }
  const thinkingRequested = turn.body.thinking?.type === "enabled";
  const model = first.value?.model ?? turn.decision.model!;
  const headers = offloadHeaders(lane, model, id);
  let recorded = false;
  const out = new ReadableStream<Uint8Array>({
    async start(controller) {
      const writer = new AnthropicSseWriter((c) => controller.enqueue(c));
      const msgId = messageId();
      writer.start(msgId, model);
      let inThink = false;
      const content: AnthropicMessage["content"] = [];
      let text = "";
      try {
        for (let step = first; !step.done; step = await iterator.next()) {
          const chunk = step.value;
          if (chunk.message?.thinking && thinkingRequested) writer.thinking(chunk.message.thinking);
          let piece = chunk.message?.content ?? "";
          // Inline <think> blocks are reasoning, not answer.
          if (piece.includes("<think>")) inThink = true;
          if (inThink) {
            const close = piece.indexOf("</think>");
            if (close < 0) piece = "";
            else {
              piece = piece.slice(close + "</think>".length).replace(/^\s+/, "");
              inThink = false;
            }
          }
          if (piece) {
            text += piece;
            writer.text(piece);
          }
          for (const call of chunk.message?.tool_calls ?? []) {
            const block = {
              type: "tool_use" as const,
              id: toolUseId(),
              name: call.function.name,
              input: (call.function.arguments ?? {}) as Record<string, unknown>,
            };
            content.push(block);
            writer.toolUse(block.id, block.name, block.input);
          }
          if (chunk.done) {
            const m: AnthropicMessage = {
              id: msgId,
              type: "message",
              role: "assistant",
              model,
              content: [{ type: "text", text: stripThink(text).text }, ...content],
              stop_reason: stopReasonOf(chunk.done_reason, content.length > 0),
              stop_sequence: null,
              usage: usageOf(chunk),
            };
            writer.finish(m.stop_reason, m.usage);
            recorded = true;
            enqueueTurns(
              localRecord(
                turn,
                id,
                lane,
                {
                  message: m,
                  loadMs: nsToMs(chunk.load_duration),
                  generationMs: nsToMs(chunk.prompt_eval_duration) + nsToMs(chunk.eval_duration),
                  evalMs: nsToMs(chunk.eval_duration),
                },
                "ok",
              ),
            );
          }
        }
        controller.close();
      } catch (err) {
        const why = localError(err, settings.localTimeoutSeconds);
        writer.error("api_error", why);
        if (!recorded) {
          recorded = true;
          enqueueTurns(localRecord(turn, id, lane, null, "error", { errorMessage: why }));
        }
        controller.close();
      }
    },
    cancel() {
      if (!recorded) {
        recorded = true;
        enqueueTurns(
          localRecord(turn, id, lane, null, "error", {
            errorMessage: "the agent disconnected before the end of the stream",
          }),
        );
      }
    },
  });
  return new Response(out, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers },
  });
}

// ---------------------------------------------------------------- Entry

export async function handleMessages(request: Request, database?: Db): Promise<Response> {
  if (!beginRequest()) return anthropicError(529, "overloaded_error", "Offload is shutting down; retry in a moment");
  // The request counts as in flight until its answer's body has been read out to the agent (a
  // shutdown waits for that), not merely until the Response object exists.
  let tapped = false;
  try {
    const t0 = performance.now();
    const startedAt = new Date();
    const db = database ?? (await getDb());
    const state = await gatewayState(db);
    const agent = await authenticate(db, state, request.headers);
    const raw = await readBody(request);
    const parsed = messagesRequestSchema.safeParse(raw);
    if (!parsed.success)
      throw new GatewayError(
        400,
        "invalid_request_error",
        describeZodError(parsed.error),
        parsed.error.issues[0]?.path.join(".") || undefined,
      );
    const body = parsed.data;
    const headerTaskType = request.headers.get("x-offload-task-type")?.trim() || null;

    let decision: RouteDecision;
    try {
      decision = decideRoute(
        { agentId: agent.id, taskType: headerTaskType, request: { lastUserText: lastUserText(body) } },
        {
          agent,
          taskTypes: state.taskTypes,
          classify: classifyTask,
          health: state.health,
          settings: { ...state.settings },
        },
      );
    } catch (err) {
      if (err instanceof RouteError && err.code === "unknown_task_type")
        throw new GatewayError(
          400,
          "invalid_request_error",
          `x-offload-task-type: ${err.message}`,
          "x-offload-task-type",
        );
      if (err instanceof RouteError) throw new GatewayError(503, "api_error", err.message);
      throw err;
    }
    // A prompt the local context cannot hold goes to Claude rather than being truncated.
    if (decision.lane !== "claude") {
      const fit = fitLocalContext(
        estimateTokens(promptCharacters(body)),
        body.max_tokens,
        state.settings.localContextTokens,
      );
      if (!fit.fits)
        decision = {
          ...decision,
          lane: "claude",
          tier: LANE_TIER.claude,
          model: agent.claudeModel,
          reason: `${decision.reason}; ${fit.reason}: sent to claude`,
        };
    }
    const turn: Turn = { decision, agent, state, body, startedAt, t0 };
    const response =
      decision.lane === "claude" ? await serveClaude(turn, decision.reason, null) : await serveLocal(turn);
    if (response.body) {
      tapped = true;
      return new Response(tapClose(response.body, endRequest), { status: response.status, headers: response.headers });
    }
    return response;
  } catch (err) {
    if (err instanceof GatewayError)
      return anthropicError(err.status, err.type, err.message, { field: err.field, headers: err.headers });
    if (err instanceof OffloadError)
      return anthropicError(400, "invalid_request_error", err.message, { field: err.field });
    console.error("offload gateway: unexpected error", err);
    return anthropicError(500, "api_error", "internal error in Offload; see its log");
  } finally {
    if (!tapped) endRequest();
  }
}

/** Runs `done` once when the stream ends or the reader cancels. */
function tapClose(stream: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  let called = false;
  const once = () => {
    if (!called) {
      called = true;
      done();
    }
  };
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: finished, value } = await reader.read();
        if (finished) {
          controller.close();
          once();
        } else controller.enqueue(value);
      } catch (err) {
        once();
        controller.error(err);
      }
    },
    async cancel(reason) {
      once();
      await reader.cancel(reason).catch(() => {});
    },
  });
}
