// POST /v1/messages/count_tokens: Claude's own count when Offload has an Anthropic key, else an
// estimate, marked as one (`estimated: true` and the x-offload-estimated header).
import Anthropic from "@anthropic-ai/sdk";
import { getDb } from "@/server/db/instance";
import type { Db } from "@/server/db/client";
import { hashAgentKey } from "@/server/agents/agent-key";
import { bearerToken } from "@/server/auth/admin-auth";
import { describeZodError } from "@/server/core/errors";
import { estimateTokens } from "@/server/core/gateway/local-request-policy";
import { anthropicClient } from "@/server/providers/anthropic-client";
import { countTokensRequestSchema, promptCharacters } from "./messages-request";
import { anthropicError } from "./handle-messages";

export async function handleCountTokens(request: Request, database?: Db): Promise<Response> {
  const db = database ?? (await getDb());
  const key = request.headers.get("x-api-key")?.trim() || bearerToken(request.headers);
  const agent = key
    ? await db.prisma.agent.findUnique({
        where: { apiKeyHash: hashAgentKey(key) },
        select: { id: true, claudeModel: true, removedAt: true },
      })
    : null;
  if (!agent || agent.removedAt)
    return anthropicError(
      401,
      "authentication_error",
      key ? "invalid x-api-key" : "send the agent's Offload key as x-api-key or Authorization: Bearer",
    );
  let raw: unknown;
  try {
    raw = await request.json();
  } catch (err) {
    return anthropicError(
      400,
      "invalid_request_error",
      `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  const parsed = countTokensRequestSchema.safeParse(raw);
  if (!parsed.success)
    return anthropicError(400, "invalid_request_error", describeZodError(parsed.error), {
      field: parsed.error.issues[0]?.path.join("."),
    });
  const client = anthropicClient();
  if (client) {
    try {
      const { max_tokens: _ignored, ...body } = parsed.data;
      const counted = await client.messages.countTokens({
        ...(body as Anthropic.MessageCountTokensParams),
        model: agent.claudeModel,
      });
      return Response.json(counted);
    } catch (err) {
      if (err instanceof Anthropic.APIError && typeof err.status === "number") {
        const e = err.error as { error?: { type?: string; message?: string } } | undefined;
        return anthropicError(err.status, e?.error?.type ?? "api_error", e?.error?.message ?? err.message);
      }
      // Claude unreachable: fall back to the estimate below.
    }
  }
  return Response.json(
    { input_tokens: estimateTokens(promptCharacters(parsed.data)), estimated: true },
    { headers: { "x-offload-estimated": "true" } },
  );
}
