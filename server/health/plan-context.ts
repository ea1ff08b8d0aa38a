// The context planner: what a larger local context would have kept off Claude. Over the last 7 days,
// the local-lane turns the gateway sent to Claude only because prompt + answer reserve exceeded the
// local context (Turn.contextForcedClaude), per day and by task type, with their Claude cost; for each
// candidate context, how many of them would have fit (promptTokens + the answer reserve the gateway
// kept for that turn: its max_tokens, at most the setting; the setting for turns before it was
// recorded) and
// the Claude cost a day they would move, beside the GPU memory model + cache would need at it.
// Aggregated in SQL over the startedAt index (Postgres and PGlite alike); no turn is loaded.
import type { Db } from "@/server/db/client";
import { estimateVram, type VramEstimate } from "@/server/core/health/estimate-vram";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";
import type { KvCacheType } from "@/server/core/settings-defaults";
import { readLocalContext } from "./read-local-context";

const WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/** Contexts worth considering above the current one (Ollama allocates any size; these are the usual steps). */
export const CANDIDATE_CONTEXTS = [40_960, 49_152, 65_536, 98_304, 131_072] as const;

/**
 * The current context and the larger candidates, up to the model's native context when known (the
 * native context itself offered when it is not one of the steps).
 */
export function candidateContexts(current: number, nativeContext: number | null): number[] {
  const above = [...CANDIDATE_CONTEXTS, ...(nativeContext ? [nativeContext] : [])].filter(
    (c) => c > current && (nativeContext === null || c <= nativeContext),
  );
  return [current, ...[...new Set(above)].sort((a, b) => a - b)];
}

export type ForcedByTaskType = {
  /** "" for turns without a task type. */
  taskTypeId: string;
  name: string;
  turns: number;
  turnsPerDay: number;
  costMicroUsdPerDay: bigint;
  /** The largest promptTokens + answer reserve among them: the context that would have taken them all. */
  largestNeedTokens: number;
};

export type ContextCandidate = {
  contextTokens: number;
  current: boolean;
  /** Forced turns a day that would have fit this context. */
  turnsPerDay: number;
  /** Their Claude cost a day, which this context would move to the local model. */
  costMicroUsdPerDay: bigint;
  /** The same, by task type (only task types with turns that fit). */
  byTaskType: { taskTypeId: string; name: string; turnsPerDay: number }[];
  /** Model + cache at this context against the GPU; null when the architecture is unknown. */
  vram: VramEstimate | null;
};

export type ContextPlan = {
  model: string;
  /** Start of the window the rates are over: 7 days back, or the first turn whose prompt size was recorded when later. */
  since: Date;
  days: number;
  /** The first turn in the window whose prompt size the gateway recorded; null: none (the rates say nothing yet). */
  firstRecordedAt: Date | null;
  currentContext: number;
  answerReserveTokens: number;
  kvCacheType: KvCacheType;
  nativeContext: number | null;
  /** Why the VRAM column is unknown, when it is. */
  vramProblem: string | null;
  forced: ForcedByTaskType[];
  forcedTurnsPerDay: number;
  forcedCostMicroUsdPerDay: bigint;
  candidates: ContextCandidate[];
};

/** Timestamps are stored as UTC wall-clock (Prisma's timestamp(3)): compared as such, whatever the session's time zone. */
const wallClock = (at: Date) => at.toISOString().replace("T", " ").replace("Z", "");

type Row = { id: string; name: string | null; turns: string; cost: string; need: number | null } & Record<
  string,
  string | number | null
>;

export async function planContext(db: Db, now = new Date()): Promise<ContextPlan> {
  const local = await readLocalContext(db);
  const model = local.models[0];
  const native = model?.card?.shape.nativeContext ?? null;
  const contexts = candidateContexts(local.contextTokens, native);
  const reserve = local.answerReserveTokens;
  const windowStart = new Date(now.getTime() - WINDOW_DAYS * DAY_MS);

  // One row per task type; per candidate i, the turns that fit it (fit_i) and their cost (cost_i).
  const perCandidate = contexts
    .map(
      (_, i) =>
        `count(*) filter (where t."promptTokens" + coalesce(t."answerReserveTokens", $2::int) <= $${i + 3}::int)::bigint as fit_${i},
         coalesce(sum(t."costMicroUsd") filter (where t."promptTokens" + coalesce(t."answerReserveTokens", $2::int) <= $${i + 3}::int), 0)::bigint as cost_${i}`,
    )
    .join(",\n");
  const [rows, first] = await Promise.all([
    db.sql.query<Row>(
      `select coalesce(t."taskTypeId", '') as id, tt."name" as name, count(*)::bigint as turns,
              coalesce(sum(t."costMicroUsd"), 0)::bigint as cost, max(t."promptTokens" + coalesce(t."answerReserveTokens", $2::int)) as need,
              ${perCandidate}
       from "Turn" t left join "TaskType" tt on tt."id" = t."taskTypeId"
       where t."startedAt" >= $1::timestamp(3) and t."contextForcedClaude"
       group by 1, 2 order by 4 desc, 1`,
      [wallClock(windowStart), reserve, ...contexts],
    ),
    // The gateway records prompt sizes since this feature: a shorter record is a shorter window.
    db.sql.query<{ first: string | null }>(
      `select to_char(min("startedAt"), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first
       from "Turn" where "startedAt" >= $1::timestamp(3) and "promptTokens" is not null`,
      [wallClock(windowStart)],
    ),
  ]);
  const firstRecorded = first[0]?.first ? new Date(first[0].first) : null;
  const days = daysObserved(windowStart, firstRecorded, now);
  const since = new Date(Math.max(windowStart.getTime(), firstRecorded?.getTime() ?? windowStart.getTime()));
  const nameOf = (r: Row) => r.name ?? (r.id || "no task type");

  const forced: ForcedByTaskType[] = rows.map((r) => ({
    taskTypeId: r.id,
    name: nameOf(r),
    turns: Number(r.turns),
    turnsPerDay: perDay(Number(r.turns), days),
    costMicroUsdPerDay: microUsdPerDay(BigInt(r.cost), days),
    largestNeedTokens: Number(r.need ?? 0),
  }));
  const totalTurns = forced.reduce((s, f) => s + f.turns, 0);
  const totalCost = rows.reduce((s, r) => s + BigInt(r.cost), 0n);

  const candidates: ContextCandidate[] = contexts.map((contextTokens, i) => {
    const fitTurns = rows.reduce((s, r) => s + Number(r[`fit_${i}`] ?? 0), 0);
    const fitCost = rows.reduce((s, r) => s + BigInt(String(r[`cost_${i}`] ?? 0)), 0n);
    return {
      contextTokens,
      current: i === 0,
      turnsPerDay: perDay(fitTurns, days),
      costMicroUsdPerDay: microUsdPerDay(fitCost, days),
      byTaskType: rows
        .filter((r) => Number(r[`fit_${i}`] ?? 0) > 0)
        .map((r) => ({ taskTypeId: r.id, name: nameOf(r), turnsPerDay: perDay(Number(r[`fit_${i}`]), days) })),
      vram: model?.card
        ? estimateVram({
            shape: model.card.shape,
            weightsBytes: model.weightsBytes,
            kvCacheType: local.kvCacheType,
            contextTokens,
            gpu: model.gpu,
          })
        : null,
    };
  });

  return {
    model: model?.model ?? "",
    since,
    days,
    firstRecordedAt: firstRecorded,
    currentContext: local.contextTokens,
    answerReserveTokens: reserve,
    kvCacheType: local.kvCacheType,
    nativeContext: native,
    vramProblem: model?.cardProblem ?? null,
    forced,
    forcedTurnsPerDay: perDay(totalTurns, days),
    forcedCostMicroUsdPerDay: microUsdPerDay(totalCost, days),
    candidates,
  };
}
