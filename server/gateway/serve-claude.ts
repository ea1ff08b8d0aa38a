// The Claude lane: the agent's request goes to Anthropic as it was sent (path and query, headers,
// body bytes; under an operator's model mapping only the body's `model` differs), and Anthropic's
// answer comes back as it was sent, with the x-offload-* headers added. The turn is recorded once
// the answer has been read out (or cut short: then as cancelled).
import crypto from "node:crypto";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";
import { replaceModel } from "@/server/core/gateway/replace-model";
import { claudeProvider } from "@/server/providers/claude-provider";
import { emptyMeter, type ProviderAnswer, type ProviderStream, type StreamEnd } from "@/server/providers/provider";
import { HttpError } from "@/server/http/http-error";
import { noteRequestLog } from "@/server/process/log";
import { claudeTarget, withMappingNote } from "./plan-turn";
import { claudeRecord } from "./turn-records";
import { enqueueTurns } from "./turn-writer";
import { endAfter } from "./durable-answer";
import { wholeStream } from "@/server/providers/answer-stream";
import type { GatewayTurn } from "./gateway-turn";

/** The answer's headers as Anthropic sent them, plus Offload's. */
function withOffloadHeaders(upstream: Headers, offload: Record<string, string>): Headers {
  const headers = new Headers(upstream);
  for (const [name, value] of Object.entries(offload)) headers.set(name, value);
  return headers;
}

/** Serves the turn on Claude; `escalatedFrom` is the local turn that gave it up, if any. */
export async function serveClaude(turn: GatewayTurn, reason: string, escalatedFrom: string | null): Promise<Response> {
  const id = crypto.randomUUID();
  noteRequestLog({ agentId: turn.agent.id, lane: "claude", turnId: id, escalatedFrom: escalatedFrom ?? undefined });
  const requested = turn.body.model;
  const target = claudeTarget(requested, { agentId: turn.agent.id, taskTypeId: turn.plan.taskTypeId }, turn.state);
  // A turn planned for Claude has the mapping in its reason already; an escalated one gets it here.
  const why = escalatedFrom === null ? reason : withMappingNote(reason, requested, target);
  const headers = offloadHeaders({ lane: "claude", model: target.model, reason: why, turnId: id });
  const record = (end: StreamEnd) =>
    enqueueTurns(
      claudeRecord(turn, {
        id,
        lane: "claude",
        status: end.status,
        meter: end.meter,
        reason: why,
        errorMessage: end.error ?? end.meter.note ?? null,
        escalatedFromTurnId: escalatedFrom,
      }),
    );

  const provider = claudeProvider();
  if (!provider) {
    record({ status: "error", meter: emptyMeter(target.model), error: "ANTHROPIC_API_KEY is not set" });
    throw new HttpError(
      503,
      "api_error",
      "this turn goes to Claude, and Offload has no ANTHROPIC_API_KEY configured",
      undefined,
      headers,
    );
  }
  const bytes = target.mapping
    ? (replaceModel(turn.original.bytes, target.model) ?? turn.original.bytes)
    : turn.original.bytes;
  const call = {
    body: turn.body,
    model: target.model,
    original: { ...turn.original, bytes },
    signal: turn.signal,
  };

  let answer: ProviderAnswer | ProviderStream;
  try {
    answer = turn.body.stream === true ? await provider.stream(call) : await provider.send(call);
  } catch (err) {
    const failure = provider.describeError(err);
    if (turn.signal.aborted) {
      record({
        status: "cancelled",
        meter: emptyMeter(target.model),
        error: "the agent disconnected before the answer",
      });
      throw new HttpError(499, "api_error", "the agent disconnected", undefined, headers);
    }
    record({ status: "error", meter: emptyMeter(target.model), error: `could not reach Claude: ${failure.message}` });
    throw new HttpError(502, "api_error", `could not reach Claude: ${failure.message}`, undefined, headers);
  }
  const out = withOffloadHeaders(answer.headers, headers);
  if ("bytes" in answer) {
    await record({ status: answer.error ? "error" : "ok", meter: answer.meter, error: answer.error });
    // One stream the gateway's in-flight count can watch (hold-request.ts), not one wrapped around another.
    return new Response(answer.status === 204 ? null : wholeStream(answer.bytes), {
      status: answer.status,
      headers: out,
    });
  }
  const durable = answer.end.then(record);
  return new Response(endAfter(answer.body, durable), { status: answer.status, headers: out });
}
