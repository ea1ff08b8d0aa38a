// The local lanes: the turn goes to the local model through the Ollama provider, streamed as it
// is generated or, for Local with care, checked whole first and escalated to Claude when the
// check fails. A local failure (down, timeout, an answer that is not Ollama's) escalates to Claude
// when the operator allows it; an agent that hung up cancels the local call and escalates nothing.
import crypto from "node:crypto";
import { asksForJson, checkLocalAnswer } from "@/server/core/gateway/check-local-answer";
import { keepAliveMinutes } from "@/server/core/gateway/local-request-policy";
import { lastUserText, textOf } from "@/server/core/gateway/messages-request";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import type { TurnStatus } from "@/server/core/turn-record";
import { ollamaProvider } from "@/server/providers/ollama-provider";
import { AnthropicSseWriter } from "@/server/providers/anthropic-sse-writer";
import type { AnthropicMessage } from "@/server/providers/anthropic-message";
import {
  emptyMeter,
  type MessagesCall,
  type Meter,
  type ProviderAnswer,
  type ProviderFailure,
  type ProviderStream,
} from "@/server/providers/provider";
import { HttpError } from "@/server/http/http-error";
import { log, noteRequestLog } from "@/server/process/log";
import { escalationReason } from "@/server/metrics/offload-metrics";
import { serveClaude } from "./serve-claude";
import { localRecord } from "./turn-records";
import { enqueueTurns } from "./turn-writer";
import { endAfter } from "./durable-answer";
import type { GatewayTurn } from "./gateway-turn";
import { conversationLanes } from "./conversation-lanes";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

function describeLocalFailure(f: ProviderFailure, timeoutSeconds: number): string {
  if (f.kind === "timeout") return `the local model did not answer within ${timeoutSeconds} s`;
  if (f.kind === "refused") return "ollama refused the connection";
  return `ollama: ${f.status ? `${f.status} ` : ""}${f.message}`;
}

function replayAsEvents(m: AnthropicMessage): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  new AnthropicSseWriter((c) => chunks.push(c)).replay(m);
  return new Blob(chunks as BlobPart[]).stream();
}

function checkCarefulAnswer(turn: GatewayTurn, m: AnthropicMessage) {
  const body = turn.body;
  const wantsJson = asksForJson(`${textOf(body.system)}\n${lastUserText(body.messages)}`);
  const tools = Array.isArray(body.tools)
    ? (body.tools as { name: string; input_schema?: unknown }[]).map((t) => ({
        name: t.name,
        input_schema: t.input_schema,
      }))
    : [];
  return checkLocalAnswer(m.content, { tools, wantsJson });
}

export async function serveLocal(turn: GatewayTurn): Promise<Response> {
  const { lane, model, reason } = turn.plan;
  const settings = turn.state.settings;
  const id = crypto.randomUUID();
  noteRequestLog({ agentId: turn.agent.id, lane, turnId: id });
  const provider = ollamaProvider();
  const call: MessagesCall = {
    body: turn.body,
    model,
    signal: AbortSignal.any([turn.signal, AbortSignal.timeout(settings.localTimeoutSeconds * 1000)]),
    local: {
      contextTokens: settings.localContextTokens,
      keepAliveMinutes: keepAliveMinutes(settings.localKeepAliveMinutes, turn.state.longestHeartbeatMinutes),
    },
  };
  const record = (status: TurnStatus, meter: Meter, errorMessage: string | null) =>
    enqueueTurns(localRecord(turn, { id, lane, status, meter, reason, errorMessage, escalatedFromTurnId: null }));
  const headersFor = (served: string) => offloadHeaders({ lane, model: served, reason, turnId: id });
  const hungUp = (meter: Meter) => {
    record("cancelled", meter, "the agent disconnected before the answer");
    return new HttpError(499, "api_error", "the agent disconnected", undefined, headersFor(meter.model));
  };
  const escalate = (why: string, meter: Meter) => {
    // The reason as /metrics labels it (bounded; an upstream error's own words could quote the answer).
    log.info({ reason: escalationReason(why) }, "escalated to claude");
    record("escalated", meter, why);
    // The conversation's tool loop no longer follows the local lane: its next turns are decided afresh.
    conversationLanes.markEscalated(turn.plan.conversationLaneKey);
    return serveClaude(turn, `${reason}; escalated to claude: ${why}`, id);
  };
  const failed = (err: unknown): Promise<Response> => {
    if (turn.signal.aborted) throw hungUp(emptyMeter(model));
    const why = describeLocalFailure(provider.describeError(err), settings.localTimeoutSeconds);
    if (settings.escalateWhenLocalDown) return escalate(why, emptyMeter(model));
    record("error", emptyMeter(model), why);
    throw new HttpError(503, "api_error", `${why}; escalation to Claude is turned off`, undefined, headersFor(model));
  };

  if (lane === "local_careful" || turn.body.stream !== true) {
    let answer: ProviderAnswer;
    try {
      answer = await provider.send(call);
    } catch (err) {
      return failed(err);
    }
    const message = answer.message!;
    if (lane === "local_careful") {
      const check = checkCarefulAnswer(turn, message);
      if (!check.ok) {
        if (turn.signal.aborted) throw hungUp(answer.meter);
        return escalate(check.reason, answer.meter);
      }
    }
    await record("ok", answer.meter, null);
    const headers = headersFor(answer.meter.model);
    if (turn.body.stream === true)
      return new Response(replayAsEvents(message), { headers: { ...SSE_HEADERS, ...headers } });
    return new Response(answer.bytes, { headers: { "content-type": "application/json", ...headers } });
  }

  // Local lane, streaming: nothing is sent before the first chunk, so a failure up to then can still go to Claude.
  let stream: ProviderStream;
  try {
    stream = await provider.stream(call);
  } catch (err) {
    return failed(err);
  }
  const durable = stream.end.then((end) =>
    record(end.status, end.meter, end.status === "ok" ? null : (end.error ?? "the answer broke off")),
  );
  const served = turn.plan.model;
  const headers = new Headers(stream.headers);
  for (const [name, value] of Object.entries(headersFor(served))) headers.set(name, value);
  return new Response(endAfter(stream.body, durable), { status: stream.status, headers });
}
