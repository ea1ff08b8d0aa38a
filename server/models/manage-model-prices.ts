// Prices for models the price table lacks, and the unpriced turns they fix. A Claude turn whose served
// model has no price is recorded unpriced (cost null, never zero); the dashboard lists those models over
// the last 30 days and the operator adds a price. One transaction stores it as an operator override in
// ModelPrice (effective from the model's first unpriced turn), writes its TierChange audit row (subject
// model_price) and reprices the model's unpriced turns with their DailyUsage, FingerprintDailyUsage
// and DailyUsageTotal rows, so that the charts, the recurring turns and the Costs page are right. Undo removes the price through the same
// audited path: the turns it priced become unpriced again. With a retention period, days before
// turnsRetainedFrom have no turns left (DailyUsage has no model column): a price change cannot reach
// them, leaves their totals as they are and says how many there are.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Prisma } from "@/server/db/generated/client";
import { readPriceMap } from "@/server/db/prices";
import { OffloadError } from "@/server/core/errors";
import { USAGE_TYPES, type UsageType } from "@/server/core/cost/price-table";
import { resolveModelPrice } from "@/server/core/cost/price-turn";
import type { PricePerMTok } from "@/server/core/cost/price-usage";
import {
  decodePrice,
  encodePrice,
  normalizeModelName,
  priceKeyOf,
  suggestModelPrice,
} from "@/server/core/cost/suggest-price";
import { formatMicroUsd } from "@/server/core/money";
import { utcDay } from "@/server/core/turn-record";
import { clampToRetained } from "@/server/core/turn-retention";
import { holdTurnsRetainedFrom } from "@/server/db/turns-retained-from";
import { lockUsageTables } from "@/server/db/record-turns";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import type { TierChangeRow } from "@/server/tiers/manage-tiers";

type Tx = Prisma.TransactionClient;

/** The audit value of a model without a price. */
export const UNPRICED = "unpriced";
export const UNPRICED_WINDOW_DAYS = 30;
/** Serialises price changes (two operators pricing one model at once); the migrator uses another key. */
const PRICE_LOCK_KEY = 0x0ff10ad2;

export const modelNameSchema = z
  .string()
  .trim()
  .min(1, "a model name is required")
  .max(200, "a model name is at most 200 characters")
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/,
    "a model name is letters, digits and . _ : @ / - without spaces (e.g. claude-sonnet-4-6)",
  );

const usdPerMTok = z
  .number({ error: "a price in USD per million tokens is required" })
  .min(0, "must be 0 or more")
  .max(1_000, "must be at most 1,000 USD per million tokens");

export const addModelPriceInput = z.object({
  model: modelNameSchema,
  /** USD per million tokens, per usage type. */
  usdPerMTok: z.object({
    input: usdPerMTok,
    output: usdPerMTok,
    cache_write_5m: usdPerMTok,
    cache_write_1h: usdPerMTok,
    cache_read: usdPerMTok,
  }),
  note: z.string().trim().max(500, "a note is at most 500 characters").optional(),
});

export type UnpricedModel = {
  /** The name a price would be stored under (a dated name's base: one price covers every release). */
  priceKey: string;
  /** The served model names of these turns, as recorded. */
  names: string[];
  turns: number;
  lastTurnAt: Date;
  /** A price was added since these turns were recorded (they were in flight): reprice them. */
  pricedNow: boolean;
  /** The nearest priced model of the same family, to prefill the form, in USD per million tokens. */
  suggestion: { basedOn: string; usdPerMTok: Record<UsageType, number> } | null;
};

export type UnpricedSummary = { windowDays: number; turns: number; models: UnpricedModel[] };

/**
 * The days a price change could not reach: before turnsRetainedFrom their turns are retired, and
 * DailyUsage has no model column, so they keep their totals. `days`: Claude-lane days before `before`
 * that the change would have covered (with unpriced turns, or, removing a price, since it took effect);
 * `unpricedTurns`: the unpriced Claude turns those days keep, of any model. null: no such day.
 */
export type RetiredDays = { before: string; days: number; unpricedTurns: number } | null;

export type RepriceResult = { repricedTurns: number; costChangeMicroUsd: bigint; retired: RetiredDays };
export type PriceChangeResult = RepriceResult & { change: TierChangeRow };

const toUsd = (price: PricePerMTok) =>
  Object.fromEntries(USAGE_TYPES.map((u) => [u, Number(price[u]) / 1_000_000])) as Record<UsageType, number>;

/** A price as a person reads it in the audit: input and output, USD per million tokens. */
export function describePrice(price: PricePerMTok): string {
  return `${formatMicroUsd(price.input)} in / ${formatMicroUsd(price.output)} out per million tokens`;
}

/** Claude-lane models with unpriced turns over the last 30 days (cheap when there are none: DailyUsage says so). */
export async function readUnpricedModels(db: Db, now: Date = new Date()): Promise<UnpricedSummary> {
  const from = utcDay(new Date(now.getTime() - (UNPRICED_WINDOW_DAYS - 1) * 86_400_000));
  // DailyUsage says whether there are any, and from which day: the turns are read from there on only.
  const [gate] = await db.sql.query<{ turns: string; first: string | null }>(
    `select coalesce(sum("unpricedTurns"), 0)::bigint as turns, to_char(min("day") filter (where "unpricedTurns" > 0), 'YYYY-MM-DD') as first
     from "DailyUsage" where "day" >= $1::date and "lane" = 'claude'`,
    [from],
  );
  const empty = { windowDays: UNPRICED_WINDOW_DAYS, turns: 0, models: [] };
  if (!gate?.first || Number(gate.turns) === 0) return empty;
  const [rows, prices] = await Promise.all([
    db.prisma.turn.groupBy({
      by: ["servedModel"],
      where: { costMicroUsd: null, lane: "claude", startedAt: { gte: new Date(`${gate.first}T00:00:00Z`) } },
      _count: { _all: true },
      _max: { startedAt: true },
    }),
    readPriceMap(db, now),
  ]);
  const byKey = new Map<string, UnpricedModel>();
  for (const row of rows) {
    const pricedNow = resolveModelPrice(prices, row.servedModel) !== null;
    const priceKey = priceKeyOf(row.servedModel);
    const id = `${priceKey}|${pricedNow}`;
    let entry = byKey.get(id);
    if (!entry) {
      const suggestion = pricedNow ? null : suggestModelPrice(priceKey, prices);
      entry = {
        priceKey,
        names: [],
        turns: 0,
        lastTurnAt: row._max.startedAt!,
        pricedNow,
        suggestion: suggestion ? { basedOn: suggestion.basedOn, usdPerMTok: toUsd(suggestion.price) } : null,
      };
      byKey.set(id, entry);
    }
    entry.names.push(row.servedModel);
    entry.turns += row._count._all;
    if (row._max.startedAt! > entry.lastTurnAt) entry.lastTurnAt = row._max.startedAt!;
  }
  const models = [...byKey.values()]
    .map((m) => ({ ...m, names: m.names.sort() }))
    .sort((a, b) => b.turns - a.turns || a.priceKey.localeCompare(b.priceKey));
  return { windowDays: UNPRICED_WINDOW_DAYS, turns: models.reduce((n, m) => n + m.turns, 0), models };
}

/**
 * Adds an operator price for a model without one and reprices its unpriced turns (every date still
 * kept, with their DailyUsage rows), all in one transaction with the audit row. Refuses a model that has a price.
 */
export async function addModelPrice(
  db: Db,
  raw: z.input<typeof addModelPriceInput>,
  actor: string,
): Promise<PriceChangeResult> {
  const input = addModelPriceInput.parse(raw);
  const model = normalizeModelName(input.model);
  const price = Object.fromEntries(
    USAGE_TYPES.map((u) => [u, BigInt(Math.round(input.usdPerMTok[u] * 1_000_000))]),
  ) as PricePerMTok;
  if (USAGE_TYPES.every((u) => price[u] === 0n))
    throw new OffloadError(
      "BAD_REQUEST",
      "usdPerMTok.input: every price is 0; a model Offload cannot price stays unpriced rather than free",
      "usdPerMTok.input",
    );
  const result = await db.prisma.$transaction(
    async (tx) => {
      await lockPrices(tx);
      const before = await readPriceMap({ prisma: tx });
      const existing = resolveModelPrice(before, model);
      if (existing || (await tx.modelPrice.count({ where: { model } })) > 0)
        throw new OffloadError(
          "CONFLICT",
          `model: ${model} already has a price${existing ? ` (${describePrice(existing)})` : ""}; Offload adds prices only for unpriced models`,
          "model",
        );
      const after = new Map(before).set(model, price);
      const retainedFrom = await holdTurnsRetainedFrom(tx);
      const unpriced = await tx.turn.groupBy({
        by: ["servedModel", "requestedModel"],
        where: { costMicroUsd: null, lane: "claude", ...(retainedFrom ? { startedAt: { gte: retainedFrom } } : {}) },
        _min: { startedAt: true },
      });
      const covered = unpriced.filter((r) => resolveModelPrice(after, r.servedModel) === price);
      const pricedBy = (names: string[]) => names.filter((n) => resolveModelPrice(after, n) === price);
      const now = new Date();
      // In force from the model's first unpriced turn: the turns repriced below agree with the price table.
      const effectiveFrom = covered.reduce((t, r) => (r._min.startedAt! < t ? r._min.startedAt! : t), now);
      await tx.modelPrice.createMany({
        data: USAGE_TYPES.map((usageType) => ({
          model,
          usageType,
          microUsdPerMTok: price[usageType],
          effectiveFrom,
          isOverride: true,
        })),
      });
      const repriced = await repriceTurns(
        tx,
        {
          served: distinct(covered.map((r) => r.servedModel)),
          requested: pricedBy(distinct(covered.map((r) => r.requestedModel))),
        },
        price,
        { onlyUnpriced: true, from: retainedFrom },
      );
      const retired = await retiredDays(tx, retainedFrom, null);
      const row = await tx.tierChange.create({
        data: {
          subjectType: "model_price",
          subjectId: model,
          fromValue: UNPRICED,
          toValue: encodePrice(price),
          actor,
          note: input.note || null,
        },
      });
      return { change: { ...row, subjectName: model }, ...repriced, retired };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  invalidateGatewayState();
  return result;
}

/**
 * Removes an operator's price (the undo of adding it): refused unless the price in force is still
 * `expected`. The turns it priced become unpriced again, or take the list price if the table has one.
 */
export async function removeModelPrice(
  db: Db,
  input: { model: string; expected: string; note?: string },
  actor: string,
): Promise<PriceChangeResult> {
  const model = normalizeModelName(input.model);
  const result = await db.prisma.$transaction(
    async (tx) => {
      await lockPrices(tx);
      const rows = await tx.modelPrice.findMany({
        where: { model, isOverride: true },
        orderBy: { effectiveFrom: "asc" },
      });
      const current: Partial<PricePerMTok> = {};
      for (const r of rows) current[r.usageType] = r.microUsdPerMTok;
      const currentValue = USAGE_TYPES.every((u) => current[u] !== undefined)
        ? encodePrice(current as PricePerMTok)
        : UNPRICED;
      if (currentValue !== input.expected)
        throw new OffloadError(
          "CONFLICT",
          `${model}'s price changed since (it is ${describeValue(currentValue)}); nothing undone`,
          "changeId",
        );
      const before = await readPriceMap({ prisma: tx });
      const since = rows[0]!.effectiveFrom;
      await tx.modelPrice.deleteMany({ where: { model, isOverride: true } });
      const after = new Map(before);
      after.delete(model);
      const listed = await tx.modelPrice.findMany({
        where: { model, isOverride: false, effectiveFrom: { lte: new Date() } },
      });
      const list: Partial<PricePerMTok> = {};
      for (const r of listed) list[r.usageType] = r.microUsdPerMTok;
      if (USAGE_TYPES.every((u) => list[u] !== undefined)) after.set(model, list as PricePerMTok);

      // The turns this price priced: Claude turns since it took effect whose name resolved to it,
      // those that are still kept.
      const retainedFrom = await holdTurnsRetainedFrom(tx);
      const from = clampToRetained(since, retainedFrom);
      const turns = await tx.turn.groupBy({
        by: ["servedModel", "requestedModel"],
        where: { lane: "claude", startedAt: { gte: from } },
      });
      const removed = before.get(model);
      const wasMine = (n: string) => resolveModelPrice(before, n) === removed;
      const requested = distinct(turns.map((r) => r.requestedModel)).filter(wasMine);
      const byNewPrice = new Map<PricePerMTok | null, string[]>();
      for (const name of distinct(turns.map((r) => r.servedModel)).filter(wasMine)) {
        const p = resolveModelPrice(after, name);
        byNewPrice.set(p, [...(byNewPrice.get(p) ?? []), name]);
      }
      let repricedTurns = 0;
      let costChangeMicroUsd = 0n;
      for (const [p, served] of byNewPrice) {
        const r = await repriceTurns(tx, { served, requested }, p, { since: from });
        repricedTurns += r.repricedTurns;
        costChangeMicroUsd += r.costChangeMicroUsd;
      }
      const toValue = after.has(model) ? encodePrice(after.get(model)!) : UNPRICED;
      const row = await tx.tierChange.create({
        data: {
          subjectType: "model_price",
          subjectId: model,
          fromValue: currentValue,
          toValue,
          actor,
          note: input.note || null,
        },
      });
      const retired = await retiredDays(tx, retainedFrom, since);
      return { change: { ...row, subjectName: model }, repricedTurns, costChangeMicroUsd, retired };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  invalidateGatewayState();
  return result;
}

/** Reverts a model_price change through the same audited path (see tiers/manage-tiers' undoTierChange). */
export async function undoModelPriceChange(
  db: Db,
  change: { subjectId: string; fromValue: string; toValue: string },
  note: string,
  actor: string,
): Promise<TierChangeRow> {
  if (change.fromValue === UNPRICED) {
    return (await removeModelPrice(db, { model: change.subjectId, expected: change.toValue, note }, actor)).change;
  }
  const price = decodePrice(change.fromValue);
  if (!price || change.toValue !== UNPRICED)
    throw new OffloadError("CONFLICT", `this price change of ${change.subjectId} cannot be undone`, "changeId");
  const before = await readPriceMap(db);
  const now = resolveModelPrice(before, change.subjectId);
  if (now)
    throw new OffloadError(
      "CONFLICT",
      `${change.subjectId} has a price again since (${describePrice(now)}); nothing undone`,
      "changeId",
    );
  const usd = toUsd(price);
  return (await addModelPrice(db, { model: change.subjectId, usdPerMTok: usd, note }, actor)).change;
}

/**
 * Prices the unpriced Claude turns whose model has a price now: turns that were in flight while their
 * model's price was added (the gateway priced them with its previous snapshot). Not audited: it
 * changes no price, it applies the ones in force.
 */
export async function repriceUnpricedTurns(db: Db): Promise<RepriceResult> {
  return db.prisma.$transaction(
    async (tx) => {
      await lockPrices(tx);
      const prices = await readPriceMap({ prisma: tx });
      const retainedFrom = await holdTurnsRetainedFrom(tx);
      const unpriced = await tx.turn.groupBy({
        by: ["servedModel", "requestedModel"],
        where: { costMicroUsd: null, lane: "claude", ...(retainedFrom ? { startedAt: { gte: retainedFrom } } : {}) },
      });
      const requestedNames = distinct(unpriced.map((r) => r.requestedModel));
      const byPrice = new Map<PricePerMTok, string[]>();
      for (const servedModel of distinct(unpriced.map((r) => r.servedModel))) {
        const p = resolveModelPrice(prices, servedModel);
        if (p) byPrice.set(p, [...(byPrice.get(p) ?? []), servedModel]);
      }
      let repricedTurns = 0;
      let costChangeMicroUsd = 0n;
      for (const [p, served] of byPrice) {
        const requested = requestedNames.filter((n) => resolveModelPrice(prices, n) === p);
        const r = await repriceTurns(tx, { served, requested }, p, { onlyUnpriced: true, from: retainedFrom });
        repricedTurns += r.repricedTurns;
        costChangeMicroUsd += r.costChangeMicroUsd;
      }
      return { repricedTurns, costChangeMicroUsd, retired: await retiredDays(tx, retainedFrom, null) };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** `unpriced`, or a price's text in the audit, for people. */
function describeValue(value: string): string {
  const price = decodePrice(value);
  return price ? describePrice(price) : value;
}

async function lockPrices(tx: Tx): Promise<void> {
  await tx.$queryRawUnsafe(`select 1 as locked from (select pg_advisory_xact_lock(${PRICE_LOCK_KEY})) l`);
}

const distinct = (names: string[]) => [...new Set(names)];

/**
 * The Claude-lane days before turnsRetainedFrom a price change would have covered but cannot reach:
 * `since` null, those with unpriced turns (adding a price, repricing); else those since a removed
 * price took effect.
 */
async function retiredDays(tx: Tx, retainedFrom: Date | null, since: Date | null): Promise<RetiredDays> {
  if (!retainedFrom || (since && since.getTime() >= retainedFrom.getTime())) return null;
  const before = utcDay(retainedFrom);
  const [row] = await tx.$queryRawUnsafe<{ days: number; unpriced: number }[]>(
    `select count(distinct "day")::int as days, coalesce(sum("unpricedTurns"), 0)::int as unpriced
     from "DailyUsage"
     where "lane" = 'claude' and "day" < $1::date
       and ${since ? `"day" >= $2::date and "turns" > 0` : `"unpricedTurns" > 0`}`,
    ...(since ? [before, utcDay(since)] : [before]),
  );
  const days = Number(row?.days ?? 0);
  return days > 0 ? { before, days, unpricedTurns: Number(row?.unpriced ?? 0) } : null;
}

/**
 * Sets the cost of the Claude turns served by `names.served` (the unpriced ones still kept, or all since a time)
 * to what `price` makes of their tokens (null: unpriced), and moves their DailyUsage,
 * FingerprintDailyUsage and DailyUsageTotal rows by the same amounts, in one statement. The counterfactual (what the turn
 * would have cost on the model asked for) follows the new cost where the model asked for is priced by
 * the same price (`names.requested`), where it was the turn's own cost, or where it was missing; one
 * from another model (a mapped turn's) stays.
 */
async function repriceTurns(
  tx: Tx,
  names: { served: string[]; requested: string[] },
  price: PricePerMTok | null,
  scope: { onlyUnpriced: true; from: Date | null } | { since: Date },
): Promise<{ repricedTurns: number; costChangeMicroUsd: bigint }> {
  if (names.served.length === 0) return { repricedTurns: 0, costChangeMicroUsd: 0n };
  // The turn writers wait until this transaction ends (their rows would otherwise be locked in
  // another order than theirs: UPDATE ... FROM locks in join order).
  await lockUsageTables(tx);
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const cost = price
    ? `(("inputTokens"::bigint * ${p(price.input)}::bigint + "outputTokens"::bigint * ${p(price.output)}::bigint
        + "cacheReadTokens"::bigint * ${p(price.cache_read)}::bigint + "cacheWrite5mTokens"::bigint * ${p(price.cache_write_5m)}::bigint
        + "cacheWrite1hTokens"::bigint * ${p(price.cache_write_1h)}::bigint + 500000) / 1000000)`
    : "null::bigint";
  const askedForThis = names.requested.length ? `"requestedModel" in (${names.requested.map(p).join(", ")})` : "false";
  // Timestamps are stored as UTC wall-clock (db/record-turns).
  const startedFrom = (at: Date) =>
    `"startedAt" >= ${p(at.toISOString().replace("T", " ").replace("Z", ""))}::timestamp(3)`;
  const when =
    "onlyUnpriced" in scope
      ? `"costMicroUsd" is null${scope.from ? ` and ${startedFrom(scope.from)}` : ""}`
      : startedFrom(scope.since);
  const [result] = await tx.$queryRawUnsafe<{ turns: number; cost: bigint }[]>(
    `with target as (
       select "id", "startedAt"::date as "day", "agentId", coalesce("taskTypeId", '') as "taskTypeId", "lane", "fingerprint", "source",
              "costMicroUsd" as "oldCost", "counterfactualMicroUsd" as "oldCf", ${cost} as "newCost",
              ${askedForThis} as "askedForThis"
       from "Turn" where "lane" = 'claude' and "servedModel" in (${names.served.map(p).join(", ")}) and ${when}
     ), priced as (
       select *, case when "askedForThis" or "oldCf" is null or "oldCf" = "oldCost" then "newCost" else "oldCf" end as "newCf"
       from target
     ), turns as (
       update "Turn" t set "costMicroUsd" = priced."newCost", "counterfactualMicroUsd" = priced."newCf"
       from priced where t."id" = priced."id"
       returning t."id"
     ), daily as (
       select "day", "agentId", "taskTypeId", "lane",
              sum(("newCost" is null)::int - ("oldCost" is null)::int)::int as "unpriced",
              sum(coalesce("newCost", 0) - coalesce("oldCost", 0))::bigint as "cost",
              sum(coalesce("newCf", 0) - coalesce("oldCf", 0))::bigint as "counterfactual",
              coalesce(sum(coalesce("newCost", 0) - coalesce("oldCost", 0)) filter (where "source" = 'reported'), 0)::bigint as "reported"
       from priced group by 1, 2, 3, 4
     ), days as (
       update "DailyUsage" d set
         "unpricedTurns" = d."unpricedTurns" + daily."unpriced",
         "costMicroUsd" = d."costMicroUsd" + daily."cost",
         "counterfactualMicroUsd" = d."counterfactualMicroUsd" + daily."counterfactual",
         "reportedCostMicroUsd" = d."reportedCostMicroUsd" + daily."reported"
       from daily
       where d."day" = daily."day" and d."agentId" = daily."agentId" and d."taskTypeId" = daily."taskTypeId" and d."lane" = daily."lane"
       returning 1
     ), recurring as (
       select "day", "fingerprint", "agentId",
              sum(coalesce("newCost", 0) - coalesce("oldCost", 0))::bigint as "cost",
              sum(coalesce("newCf", 0) - coalesce("oldCf", 0))::bigint as "counterfactual"
       from priced where "fingerprint" is not null group by 1, 2, 3
     ), recurring_days as (
       -- Locked after DailyUsage's rows, as the turn writer locks them (the one-time filter reads
       -- "days" to its end before this update reads a row).
       update "FingerprintDailyUsage" u set
         "costMicroUsd" = u."costMicroUsd" + recurring."cost",
         "counterfactualMicroUsd" = u."counterfactualMicroUsd" + recurring."counterfactual"
       from recurring
       where (select count(*) from days) >= 0
         and u."day" = recurring."day" and u."fingerprint" = recurring."fingerprint" and u."agentId" = recurring."agentId"
       returning 1
     ), totals as (
       select "day", 'agent' as "dimension", "agentId" as "key", "lane",
              sum("unpriced")::int as "unpriced", sum("cost")::bigint as "cost", sum("counterfactual")::bigint as "counterfactual",
              sum("reported")::bigint as "reported"
       from daily group by 1, 2, 3, 4
       union all
       select "day", 'taskType', "taskTypeId", "lane",
              sum("unpriced")::int, sum("cost")::bigint, sum("counterfactual")::bigint, sum("reported")::bigint
       from daily group by 1, 2, 3, 4
     ), total_days as (
       -- Last, as the turn writer locks them.
       update "DailyUsageTotal" u set
         "unpricedTurns" = u."unpricedTurns" + totals."unpriced",
         "costMicroUsd" = u."costMicroUsd" + totals."cost",
         "counterfactualMicroUsd" = u."counterfactualMicroUsd" + totals."counterfactual",
         "reportedCostMicroUsd" = u."reportedCostMicroUsd" + totals."reported"
       from totals
       where (select count(*) from recurring_days) >= 0
         and u."day" = totals."day" and u."dimension" = totals."dimension" and u."key" = totals."key" and u."lane" = totals."lane"
       returning 1
     )
     select (select count(*) from turns)::int as turns, (select coalesce(sum("cost"), 0) from daily)::bigint as cost`,
    ...params,
  );
  return { repricedTurns: Number(result?.turns ?? 0), costChangeMicroUsd: BigInt(result?.cost ?? 0) };
}
