// What goes into a Turn row, made storable before it is queued: one row the database refuses
// would otherwise fail its whole batch. Strings lose NUL characters (Postgres text cannot hold
// them) and lone UTF-16 surrogates, and are capped; integers are whole, non-negative and within
// Postgres's int4 (int8 for money); a time that is not a time becomes now. Pure and cheap.
import type { TurnRecord } from "../turn-record";

const INT4_MAX = 2_147_483_647;
const INT8_MAX = 9_223_372_036_854_775_807n;

/** Longest stored text per field; longer is cut with an ellipsis. */
export const TEXT_LIMITS = {
  id: 64,
  agentId: 200,
  taskTypeId: 200,
  requestedModel: 200,
  servedModel: 200,
  reason: 2_000,
  errorMessage: 2_000,
  fingerprintTemplate: 300,
} as const;

// NUL, and surrogate halves without their partner.
// eslint-disable-next-line no-control-regex -- NUL is exactly what Postgres text cannot hold
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(value: string, max: number): string {
  let out = UNSTORABLE.test(value) ? value.replace(UNSTORABLE, (c) => (c === "\u0000" ? "" : "\uFFFD")) : value;
  UNSTORABLE.lastIndex = 0;
  if (out.length > max) out = `${out.slice(0, max - 1)}…`;
  return out;
}

const text = (v: string, max: number) => storableText(v, max);
const optionalText = (v: string | null, max: number) => (v === null ? null : storableText(v, max));

export function storableInt(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.round(value), INT4_MAX);
}

function optionalInt<T extends null | undefined>(v: number | T): number | T {
  return v === null || v === undefined ? v : storableInt(v);
}

function storableMoney(value: bigint | null): bigint | null {
  if (value === null) return null;
  if (value > INT8_MAX) return INT8_MAX;
  if (value < -INT8_MAX) return -INT8_MAX;
  return value;
}

/** The turn, storable. */
export function sanitiseTurn(t: TurnRecord): TurnRecord {
  const startedAt = t.startedAt instanceof Date && Number.isFinite(t.startedAt.getTime()) ? t.startedAt : new Date();
  return {
    ...t,
    id: text(t.id, TEXT_LIMITS.id),
    agentId: text(t.agentId, TEXT_LIMITS.agentId),
    taskTypeId: optionalText(t.taskTypeId, TEXT_LIMITS.taskTypeId),
    requestedModel: text(t.requestedModel, TEXT_LIMITS.requestedModel),
    servedModel: text(t.servedModel, TEXT_LIMITS.servedModel),
    inputTokens: storableInt(t.inputTokens),
    outputTokens: storableInt(t.outputTokens),
    cacheReadTokens: storableInt(t.cacheReadTokens),
    cacheWrite5mTokens: storableInt(t.cacheWrite5mTokens),
    cacheWrite1hTokens: storableInt(t.cacheWrite1hTokens),
    latencyMs: storableInt(t.latencyMs),
    generationMs: optionalInt(t.generationMs),
    evalMs: optionalInt(t.evalMs),
    loadMs: optionalInt(t.loadMs),
    escalatedFromTurnId: optionalText(t.escalatedFromTurnId, TEXT_LIMITS.id),
    reason: optionalText(t.reason, TEXT_LIMITS.reason),
    errorMessage: optionalText(t.errorMessage, TEXT_LIMITS.errorMessage),
    costMicroUsd: storableMoney(t.costMicroUsd),
    counterfactualMicroUsd: storableMoney(t.counterfactualMicroUsd),
    startedAt,
    ...(t.fingerprint
      ? {
          fingerprint: {
            id: t.fingerprint.id,
            template: text(t.fingerprint.template, TEXT_LIMITS.fingerprintTemplate),
          },
        }
      : {}),
    ...(t.confidence !== undefined && t.confidence !== null
      ? { confidence: Number.isFinite(t.confidence) ? Math.min(1, Math.max(0, t.confidence)) : null }
      : {}),
    ...(t.promptTokens !== undefined ? { promptTokens: optionalInt(t.promptTokens) } : {}),
    ...(t.answerReserveTokens !== undefined ? { answerReserveTokens: optionalInt(t.answerReserveTokens) } : {}),
  };
}
