// The local lanes: the turn goes to the local model through the Ollama provider, streamed as it
// is generated or, for Local with care, checked whole first and escalated to Claude when the
// check fails. The pool's hosts are tried in turn (health/ollama-hosts.ts): a host that refuses, resets
// or fails on its side passes the turn to the next one. When none answers (down, timeout, an answer
// that is not Ollama's) the turn escalates to Claude if the operator allows it; an agent that hung
// up cancels the local call and escalates nothing.
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
import { describeNoHost } from "@/server/core/health/ollama-pool";
import { clearHostFailure, noteHostFailure, rankLocalHosts } from "@/server/health/ollama-hosts";
import { countHostFailure } from "@/server/metrics/offload-metrics";

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

/** Failures that say the host is the trouble, not the request: the turn may try the next host. */
function hostAtFault(f: ProviderFailure): boolean {
  if (f.kind === "refused" || f.kind === "malformed") return true;
  if (f.kind === "http") return f.status === undefined || f.status >= 500 || f.status === 404;
  if (f.kind === "other") return /connection was reset|host not found|socket|fetch failed/i.test(f.message);
  return false;
}

export async function serveLocal(turn: GatewayTurn): Promise<Response> {
  const { lane, model, reason } = turn.plan;
  const settings = turn.state.settings;
  const id = crypto.randomUUID();
  noteRequestLog({ agentId: turn.agent.id, lane, turnId: id });
  const ranking = rankLocalHosts(turn.state, model);
  let host: string | null = ranking.order[0] ?? null;
  let provider = ollamaProvider(host ?? undefined);
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
    enqueueTurns(
      localRecord(turn, { id, lane, status, meter, reason, errorMessage, escalatedFromTurnId: null, localHost: host }),
    );
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
  const giveUp = (why: string): Promise<Response> => {
    if (settings.escalateWhenLocalDown) return escalate(why, emptyMeter(model));
    record("error", emptyMeter(model), why);
    throw new HttpError(503, "api_error", `${why}; escalation to Claude is turned off`, undefined, headersFor(model));
  };
  const failed = (err: unknown, tried: number): Promise<Response> => {
    if (turn.signal.aborted) throw hungUp(emptyMeter(model));
    const why = describeLocalFailure(provider.describeError(err), settings.localTimeoutSeconds);
    return giveUp(tried > 1 ? `${why} (after ${tried} Ollama hosts)` : why);
  };
  /**
   * Calls the pool's hosts in order until one answers: a host that fails in a way that is its own
   * fault (refused, reset, a server error) is marked and the next one is tried, while time is left.
   */
  const attempt = async <T>(
    call1: (p: typeof provider) => Promise<T>,
  ): Promise<{ ok: T } | { err: unknown; tried: number }> => {
    for (let i = 0; ; i++) {
      try {
        const ok = await call1(provider);
        if (host) clearHostFailure(host);
        return { ok };
      } catch (err) {
        const failure = provider.describeError(err);
        if (host && failure.kind !== "cancelled" && failure.kind !== "unsupported") {
          noteHostFailure(host);
          countHostFailure(host, failure.kind);
        }
        const next = ranking.order[i + 1];
        if (!next || turn.signal.aborted || call.signal.aborted || !hostAtFault(failure)) return { err, tried: i + 1 };
        log.warn({ host, next, kind: failure.kind }, "an Ollama host failed the turn; trying the next one");
        host = next;
        provider = ollamaProvider(host);
      }
    }
  };

  if (!host) return giveUp(describeNoHost(ranking, model));

  if (lane === "local_careful" || turn.body.stream !== true) {
    const sent = await attempt((p) => p.send(call));
    if ("err" in sent) return failed(sent.err, sent.tried);
    const answer: ProviderAnswer = sent.ok;
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

  // Local lane, streaming: nothing is sent before the first chunk, so a failure up to then can still go to another host or to Claude.
  const opened = await attempt((p) => p.stream(call));
  if ("err" in opened) return failed(opened.err, opened.tried);
  const stream: ProviderStream = opened.ok;
  const durable = stream.end.then((end) =>
    record(end.status, end.meter, end.status === "ok" ? null : (end.error ?? "the answer broke off")),
  );
  const served = turn.plan.model;
  const headers = new Headers(stream.headers);
  for (const [name, value] of Object.entries(headersFor(served))) headers.set(name, value);
  return new Response(endAfter(stream.body, durable), { status: stream.status, headers });
}
