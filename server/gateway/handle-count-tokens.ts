// POST /v1/messages/count_tokens: forwarded to Anthropic as the agent sent it (path and query,
// headers, body bytes; the operator's key) and answered as Anthropic answered, with the x-offload-*
// headers. Without an Anthropic key, or with Anthropic unreachable, Offload estimates and says so
// (`estimated: true` and the x-offload-estimated header).
import "server-only";
import type { Db } from "@/server/db/client";
import { getDb } from "@/server/db/instance";
import { countTokensRequestSchema, type CountTokensRequest } from "@/server/core/gateway/messages-request";
import { offloadHeaders, type OffloadOutcome } from "@/server/core/gateway/offload-headers";
import { authenticateCaller } from "@/server/agents/authenticate-caller";
import { errorResponse } from "@/server/http/error-response";
import { BODY_LIMITS, parseJsonObject, readRequestBody } from "@/server/http/read-request-body";
import { claudeProvider } from "@/server/providers/claude-provider";
import { ollamaProvider } from "@/server/providers/ollama-provider";
import type { CountCall, ProviderAnswer } from "@/server/providers/provider";
import { gatewayState } from "./gateway-state";

function respond(answer: ProviderAnswer, outcome: OffloadOutcome, extra: Record<string, string> = {}): Response {
  const headers = new Headers(answer.headers);
  for (const [name, value] of Object.entries({ ...offloadHeaders(outcome), ...extra })) headers.set(name, value);
  return new Response(answer.bytes, { status: answer.status, headers });
}

export async function handleCountTokens(request: Request, database?: Db): Promise<Response> {
  const progress: Omit<OffloadOutcome, "reason"> = { lane: "none", model: "none" };
  try {
    const db = database ?? (await getDb());
    const state = await gatewayState(db);
    await authenticateCaller(db, request.headers, { knownAgents: state.agentsByKeyHash });
    const bytes = await readRequestBody(request, BODY_LIMITS.countTokens);
    const json = parseJsonObject(bytes, BODY_LIMITS.countTokens);
    if (typeof json.model === "string") progress.model = json.model;
    const body = countTokensRequestSchema.parse(json) as CountTokensRequest;
    const url = new URL(request.url);
    const call: CountCall = {
      body,
      model: body.model,
      original: { path: `${url.pathname}${url.search}`, headers: request.headers, bytes },
      signal: request.signal,
    };
    const claude = claudeProvider();
    let why = "Offload has no ANTHROPIC_API_KEY";
    if (claude) {
      try {
        const answer = await claude.count(call);
        return respond(answer, { lane: "claude", model: body.model, reason: "counted by claude" });
      } catch (err) {
        why = `claude unreachable: ${claude.describeError(err).message}`;
      }
    }
    const estimate = await ollamaProvider().count(call);
    return respond(
      estimate,
      { lane: "none", model: body.model, reason: `estimated by Offload (${why})` },
      { "x-offload-estimated": "true" },
    );
  } catch (err) {
    return errorResponse(err, progress);
  }
}
