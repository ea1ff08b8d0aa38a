// An over-budget agent's refused Claude-lane turn, recorded (lane claude, status error, no cost, the
// refusal as its error) so that the agent page shows why its turns failed; the 429 carries its id.
import crypto from "node:crypto";
import { HttpError } from "@/server/http/http-error";
import { emptyMeter } from "@/server/providers/provider";
import type { GatewayTurn } from "@/server/gateway/gateway-turn";
import { claudeRecord } from "@/server/gateway/turn-records";
import { enqueueTurns } from "@/server/gateway/turn-writer";

export async function refuseTurn(turn: GatewayTurn, refusal: HttpError): Promise<HttpError> {
  const id = crypto.randomUUID();
  await enqueueTurns(
    claudeRecord(turn, {
      id,
      lane: "claude",
      status: "error",
      meter: emptyMeter(turn.plan.model),
      reason: turn.plan.reason,
      errorMessage: refusal.message,
      escalatedFromTurnId: null,
    }),
  );
  return new HttpError(refusal.status, refusal.type, refusal.message, refusal.field, {
    ...refusal.headers,
    "x-offload-turn-id": id,
  });
}
