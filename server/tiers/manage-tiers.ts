// The tier board's data and its changes: a task type's lane, an agent's pin. Every change is one
// transaction with its TierChange audit row, takes effect for routing at once in this process
// (the gateway's state is invalidated), and can be undone through the same audited path. The audit
// also lists model mappings and operator prices (server/models/), whose undo this file dispatches.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { LANES, PINS, type Lane, type Pin } from "@/server/core/lanes";
import { utcDay } from "@/server/core/turn-record";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";
import { estimateLaneCost, type FleetLocalRate, type LaneUsage } from "@/server/core/tiers/estimate-move";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { describeScope, parseMappingKey, undoModelMappingChange } from "@/server/models/manage-model-mappings";
import { undoModelPriceChange } from "@/server/models/manage-model-prices";
import { describeFingerprint, undoFingerprintChange } from "@/server/fingerprints/manage-fingerprints";

const WINDOW_DAYS = 7;

export const moveTaskTypeInput = z.object({
  id: z.string().min(1, "a task type id is required"),
  lane: z.enum(LANES),
  /** The lane the caller saw it in: the move is refused if it has moved since (a stale page, a proposal). */
  from: z.enum(LANES).optional(),
  note: z.string().trim().max(500, "a note is at most 500 characters").optional(),
});
export const setPinInput = z.object({
  id: z.string().min(1, "an agent id is required"),
  pin: z.enum(PINS),
  note: z.string().trim().max(500, "a note is at most 500 characters").optional(),
});

export type TierChangeRow = {
  id: string;
  subjectType: "task_type" | "agent" | "model_mapping" | "model_price" | "fingerprint" | "setting";
  subjectId: string;
  subjectName: string;
  fromValue: string;
  toValue: string;
  /** Names of the values that are ids (a fingerprint rule's task types), for display. */
  valueNames?: Record<string, string>;
  actor: string;
  note: string | null;
  createdAt: Date;
};

export type BoardTaskType = {
  id: string;
  name: string;
  description: string;
  lane: Lane;
  reason: string;
  expectedShare: number;
  position: number;
  usage: LaneUsage;
  /** The estimated daily cost of its turns in each lane. */
  laneCost: Record<Lane, { costPerDayMicroUsd: string; basis: string }>;
  /** What it saves a day against all-Claude, as served now. */
  savedPerDayMicroUsd: bigint;
};

export type BoardAgent = {
  id: string;
  name: string;
  pin: Pin;
  turnsPerDay: number;
  costPerDayMicroUsd: bigint;
  counterfactualPerDayMicroUsd: bigint;
};

export type TierBoard = {
  generatedAt: Date;
  windowDays: number;
  taskTypes: BoardTaskType[];
  agents: BoardAgent[];
  fleet: FleetLocalRate;
};

type UsageRow = {
  taskTypeId: string;
  turns: string;
  cost: string;
  counterfactual: string;
  localTurns: string;
  localCost: string;
  escalated: string;
};

export async function readTierBoard(db: Db, now: Date = new Date()): Promise<TierBoard> {
  const windowStart = new Date(utcDay(new Date(now.getTime() - (WINDOW_DAYS - 1) * 86_400_000)) + "T00:00:00Z");
  const from = utcDay(windowStart);
  const [taskTypes, usage, agentRows, agentUsage] = await Promise.all([
    db.prisma.taskType.findMany({ orderBy: [{ position: "asc" }, { id: "asc" }] }),
    db.sql.query<UsageRow>(
      `select "taskTypeId", sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost, sum("counterfactualMicroUsd")::bigint as counterfactual,
              coalesce(sum("turns") filter (where "lane" <> 'claude'), 0)::bigint as "localTurns",
              coalesce(sum("costMicroUsd") filter (where "lane" <> 'claude'), 0)::bigint as "localCost",
              sum("escalatedTurns")::bigint as escalated
       from "DailyUsage" where "day" >= $1::date group by 1`,
      [from],
    ),
    db.prisma.agent.findMany({
      where: { removedAt: null },
      select: { id: true, name: true, pin: true, createdAt: true },
      orderBy: { id: "asc" },
    }),
    db.sql.query<{ agentId: string; turns: string; cost: string; counterfactual: string }>(
      `select "agentId", sum("turns")::bigint as turns, sum("costMicroUsd")::bigint as cost, sum("counterfactualMicroUsd")::bigint as counterfactual
       from "DailyUsage" where "day" >= $1::date group by 1`,
      [from],
    ),
  ]);
  const days = daysObserved(windowStart, null, now);
  const byType = new Map(usage.map((r) => [r.taskTypeId, r]));
  const fleetLocalTurns = usage.reduce((n, r) => n + Number(r.localTurns), 0);
  const fleetLocalCost = usage.reduce((n, r) => n + BigInt(r.localCost), 0n);
  const fleet: FleetLocalRate = {
    localCostPerTurnMicroUsd: fleetLocalTurns ? fleetLocalCost / BigInt(fleetLocalTurns) : 0n,
  };

  const board: BoardTaskType[] = taskTypes.map((t) => {
    const r = byType.get(t.id);
    const u: LaneUsage = {
      turnsPerDay: perDay(Number(r?.turns ?? 0), days),
      costPerDayMicroUsd: microUsdPerDay(BigInt(r?.cost ?? 0), days),
      counterfactualPerDayMicroUsd: microUsdPerDay(BigInt(r?.counterfactual ?? 0), days),
      localTurns: Number(r?.localTurns ?? 0),
      localCostMicroUsd: BigInt(r?.localCost ?? 0),
      escalatedTurns: Number(r?.escalated ?? 0),
    };
    const laneCost = Object.fromEntries(
      LANES.map((lane) => {
        const e = estimateLaneCost(u, lane, fleet);
        return [lane, { costPerDayMicroUsd: e.costPerDayMicroUsd.toString(), basis: e.basis }];
      }),
    ) as BoardTaskType["laneCost"];
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      lane: t.lane,
      reason: t.reason,
      expectedShare: t.expectedShare,
      position: t.position,
      usage: u,
      laneCost,
      savedPerDayMicroUsd: u.counterfactualPerDayMicroUsd - u.costPerDayMicroUsd,
    };
  });

  const agentTotals = new Map(agentUsage.map((r) => [r.agentId, r]));
  const agents: BoardAgent[] = agentRows.map((a) => {
    const r = agentTotals.get(a.id);
    const d = daysObserved(windowStart, a.createdAt, now);
    return {
      id: a.id,
      name: a.name,
      pin: a.pin,
      turnsPerDay: perDay(Number(r?.turns ?? 0), d),
      costPerDayMicroUsd: microUsdPerDay(BigInt(r?.cost ?? 0), d),
      counterfactualPerDayMicroUsd: microUsdPerDay(BigInt(r?.counterfactual ?? 0), d),
    };
  });
  return { generatedAt: now, windowDays: WINDOW_DAYS, taskTypes: board, agents, fleet };
}

export async function moveTaskType(
  db: Db,
  raw: z.input<typeof moveTaskTypeInput>,
  actor: string,
): Promise<TierChangeRow | null> {
  const input = moveTaskTypeInput.parse(raw);
  const change = await db.prisma.$transaction(async (tx) => {
    const current = await tx.taskType.findUnique({ where: { id: input.id }, select: { lane: true, name: true } });
    if (!current) throw new OffloadError("NOT_FOUND", `no task type "${input.id}"`, "id");
    if (current.lane === input.lane) return null;
    if (input.from && current.lane !== input.from)
      throw new OffloadError(
        "CONFLICT",
        `${current.name} is in lane ${current.lane} now, not ${input.from}: it was moved since; reload and decide again`,
        "from",
      );
    const last = await tx.taskType.aggregate({ where: { lane: input.lane }, _max: { position: true } });
    // Only from the lane just read: a concurrent move in between makes this match nothing.
    const { count } = await tx.taskType.updateMany({
      where: { id: input.id, lane: current.lane },
      data: { lane: input.lane, position: (last._max.position ?? -1) + 1 },
    });
    if (count !== 1)
      throw new OffloadError(
        "CONFLICT",
        `${current.name} was moved by someone else at the same moment; reload and decide again`,
        "id",
      );
    const row = await tx.tierChange.create({
      data: {
        subjectType: "task_type",
        subjectId: input.id,
        fromValue: current.lane,
        toValue: input.lane,
        actor,
        note: input.note || null,
      },
    });
    return { ...row, subjectName: current.name };
  });
  invalidateGatewayState();
  return change;
}

export async function setAgentPin(
  db: Db,
  raw: z.input<typeof setPinInput>,
  actor: string,
): Promise<TierChangeRow | null> {
  const input = setPinInput.parse(raw);
  const change = await db.prisma.$transaction(async (tx) => {
    const current = await tx.agent.findUnique({
      where: { id: input.id },
      select: { pin: true, name: true, removedAt: true },
    });
    if (!current || current.removedAt) throw new OffloadError("NOT_FOUND", `no agent "${input.id}"`, "id");
    if (current.pin === input.pin) return null;
    await tx.agent.update({ where: { id: input.id }, data: { pin: input.pin } });
    const row = await tx.tierChange.create({
      data: {
        subjectType: "agent",
        subjectId: input.id,
        fromValue: current.pin,
        toValue: input.pin,
        actor,
        note: input.note || null,
      },
    });
    return { ...row, subjectName: current.name };
  });
  invalidateGatewayState();
  return change;
}

/** Reverts a change, if its subject still has the value the change set; the undo is itself audited. */
export async function undoTierChange(db: Db, changeId: string, actor: string): Promise<TierChangeRow | null> {
  const change = await db.prisma.tierChange.findUnique({ where: { id: changeId } });
  if (!change) throw new OffloadError("NOT_FOUND", `no tier change "${changeId}"`, "changeId");
  const note = `undo of the change at ${change.createdAt.toISOString()}`;
  if (change.subjectType === "model_mapping") return undoModelMappingChange(db, change, note, actor);
  if (change.subjectType === "model_price") return undoModelPriceChange(db, change, note, actor);
  if (change.subjectType === "fingerprint") return undoFingerprintChange(db, change, note, actor);
  if (change.subjectType === "setting")
    throw new OffloadError("BAD_REQUEST", "a settings change is undone on the Settings page", "changeId");
  const currentValue =
    change.subjectType === "task_type"
      ? (await db.prisma.taskType.findUnique({ where: { id: change.subjectId }, select: { lane: true } }))?.lane
      : (await db.prisma.agent.findUnique({ where: { id: change.subjectId }, select: { pin: true } }))?.pin;
  if (currentValue !== change.toValue) {
    const what = change.subjectType === "task_type" ? "lane" : "pin";
    throw new OffloadError(
      "CONFLICT",
      `${change.subjectId}'s ${what} changed since (it is ${currentValue ?? "gone"}); nothing undone`,
      "changeId",
    );
  }
  return change.subjectType === "task_type"
    ? moveTaskType(db, { id: change.subjectId, lane: change.fromValue as Lane, note }, actor)
    : setAgentPin(db, { id: change.subjectId, pin: change.fromValue as Pin, note }, actor);
}

export async function listTierChanges(db: Db, limit = 20): Promise<TierChangeRow[]> {
  // Settings changes have their own list on the Settings page.
  const rows = await db.prisma.tierChange.findMany({
    where: { subjectType: { not: "setting" } },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  const fingerprintIds = rows.filter((r) => r.subjectType === "fingerprint").map((r) => r.subjectId);
  const scopes = new Map(
    rows.filter((r) => r.subjectType === "model_mapping").map((r) => [r.subjectId, parseMappingKey(r.subjectId)]),
  );
  const ruleRows = rows.filter((r) => r.subjectType === "fingerprint");
  const typeIds = [
    ...rows.filter((r) => r.subjectType === "task_type").map((r) => r.subjectId),
    ...ruleRows.flatMap((r) => [r.fromValue, r.toValue]),
    ...[...scopes.values()].flatMap((s) => (s?.taskTypeId ? [s.taskTypeId] : [])),
  ];
  const agentIds = [
    ...rows.filter((r) => r.subjectType === "agent").map((r) => r.subjectId),
    ...[...scopes.values()].flatMap((s) => (s?.agentId ? [s.agentId] : [])),
  ];
  const [types, agents, fingerprints] = await Promise.all([
    db.prisma.taskType.findMany({ where: { id: { in: typeIds } }, select: { id: true, name: true } }),
    db.prisma.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }),
    db.prisma.fingerprint.findMany({ where: { id: { in: fingerprintIds } }, select: { id: true, template: true } }),
  ]);
  const templates = new Map(fingerprints.map((f) => [f.id, f.template]));
  const typeNames = new Map(types.map((s) => [s.id, s.name]));
  const agentNames = new Map(agents.map((s) => [s.id, s.name]));
  const subjectName = (r: (typeof rows)[number]): string => {
    if (r.subjectType === "model_mapping") {
      const scope = scopes.get(r.subjectId);
      if (!scope) return r.subjectId;
      const names = { agent: agentNames.get(scope.agentId ?? ""), taskType: typeNames.get(scope.taskTypeId ?? "") };
      return describeScope(scope, names);
    }
    if (r.subjectType === "fingerprint") {
      const template = templates.get(r.subjectId);
      return template ? describeFingerprint(template) : r.subjectId;
    }
    return (r.subjectType === "task_type" ? typeNames : agentNames).get(r.subjectId) ?? r.subjectId;
  };
  // A fingerprint rule's values are task type ids: their names go with the row (a removed type keeps its id).
  const valueNames = (r: (typeof rows)[number]): Record<string, string> | undefined => {
    if (r.subjectType !== "fingerprint") return undefined;
    const names: Record<string, string> = {};
    for (const id of [r.fromValue, r.toValue]) {
      const name = typeNames.get(id);
      if (name) names[id] = name;
    }
    return names;
  };
  return rows.map((r) => ({ ...r, subjectName: subjectName(r), valueNames: valueNames(r) }));
}
