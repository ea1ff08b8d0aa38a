// One gateway turn as its steps pass it along: the agent's request (headers, signal, body bytes
// as sent, and parsed), who sent it, the snapshot it was decided on, and the plan.
import type { MessagesRequest } from "@/server/core/gateway/messages-request";
import type { CallerAgent } from "@/server/agents/authenticate-caller";
import type { ClientRequest } from "@/server/providers/provider";
import type { GatewayState } from "./gateway-state";
import type { TurnPlan } from "./plan-turn";

export type GatewayTurn = {
  /** The client's request as sent: path and query, headers, body bytes. */
  original: ClientRequest;
  /** Aborted when the agent hangs up. */
  signal: AbortSignal;
  body: MessagesRequest;
  agent: CallerAgent;
  state: GatewayState;
  plan: TurnPlan;
  startedAt: Date;
  /** performance.now() when the request arrived. */
  t0: number;
};
