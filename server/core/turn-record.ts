// The shape of one recorded turn, shared by the gateway, the usage report API and the demo fleet.
import type { Lane } from "./lanes";

export type TurnStatus = "ok" | "error" | "escalated" | "cancelled";

export type TurnRecord = {
  id: string;
  agentId: string;
  taskTypeId: string | null;
  lane: Lane;
  requestedModel: string;
  servedModel: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  latencyMs: number;
  generationMs: number | null;
  /** Output-token generation time of a local turn (Ollama's eval_duration), for tokens/s. */
  evalMs?: number | null;
  loadMs: number | null;
  status: TurnStatus;
  escalatedFromTurnId: string | null;
  reason: string | null;
  errorMessage: string | null;
  /** null: the served model has no price. */
  costMicroUsd: bigint | null;
  counterfactualMicroUsd: bigint | null;
  source: "gateway" | "reported" | "demo" | "sidecar";
  startedAt: Date;
  /** The instruction's fingerprint (core/turns/fingerprint.ts); gateway turns only. */
  fingerprint?: { id: string; template: string } | null;
  /** The classifier's confidence, when the classifier decided the lane. */
  confidence?: number | null;
  /** The prompt's estimated tokens when the gateway planned the turn. */
  promptTokens?: number | null;
  /** A local-lane turn sent to Claude only because it did not fit the local context. */
  contextForcedClaude?: boolean;
  /** The room kept for the answer when a local-lane turn was checked against the local context. */
  answerReserveTokens?: number | null;
  /** The Ollama host that served (or last tried) a local-lane turn. */
  localHost?: string | null;
};

/** UTC calendar day of an instant, as YYYY-MM-DD (DailyUsage's key). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** An instant as the database stores it: UTC wall-clock text for a timestamp(3) column (Prisma's convention). */
export function wallClock(at: Date): string {
  return at.toISOString().replace("T", " ").replace("Z", "");
}
