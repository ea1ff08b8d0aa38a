// The recurring turns read from FingerprintDailyUsage give exactly what a straight aggregation of the
// same window's turns in Turn gives, on each database: several agents, lanes, task types,
// fingerprints and days, turns written in interleaved batches (older turns after newer ones), turns
// just outside and just inside the window, an operator rule, a replayed turn, unpriced turns
// repriced by an operator price and unpriced again by its undo, and a rebuild of the rollup.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import { addAgent, removeAgent } from "@/server/agents/manage-agents";
import type { Db } from "@/server/db/client";
import { seedCatalogue } from "@/server/db/seed";
import { rebuildDailyUsage, recordTurns } from "@/server/db/record-turns";
import type { Lane } from "@/server/core/lanes";
import { daysObserved, microUsdPerDay, perDay } from "@/server/core/per-day";
import { utcDay, wallClock, type TurnRecord } from "@/server/core/turn-record";
import { fingerprintOf } from "@/server/core/turns/fingerprint";
import { configureTurnWriter, enqueueTurns, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { addModelPrice } from "@/server/models/manage-model-prices";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { undoTierChange } from "@/server/tiers/manage-tiers";
import { assignFingerprint } from "./manage-fingerprints";
import { readRecurringFingerprints, recurringInput, type RecurringFingerprint, type RecurringRow } from "./read-turns";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date("2026-11-30T09:30:00.000Z");
/** 7 UTC days, today so far included. */
const WINDOW_START = new Date("2026-11-24T00:00:00.000Z");
const NEW_MODEL = "claude-sonnet-4-7-20261001";
const SONNET_USD = { input: 3, output: 15, cache_write_5m: 3.75, cache_write_1h: 6, cache_read: 0.3 };
const AGENTS = ["loash", "worker-1", "ops"];
const INSTRUCTIONS = [
  "check the inbox at 09:00 and ack message 41",
  "run git fetch in repo 3",
  "summarize the log of job 77",
  "review PR 12 for race conditions",
  "write 42 to /tmp/state",
  "design the experiment for cache 9",
];
const FINGERPRINTS = INSTRUCTIONS.map((i) => fingerprintOf(i)!);
const LANE_CYCLE: Lane[] = ["local", "local", "claude", "local_careful", "sidecar"];
const TASK_OF: Record<Lane, string> = {
  local: "mailbox-poll",
  local_careful: "log-summarization",
  claude: "code-review",
  sidecar: "git-fetch",
};

/** A gateway turn of fingerprint i, agent a, its j-th: lane, task type, cost and context by (i, a, j). */
function recurringTurn(i: number, a: number, j: number, startedAt: Date): TurnRecord {
  const lane = LANE_CYCLE[j % LANE_CYCLE.length]!;
  const unpriced = lane === "claude" && (i + j) % 3 === 0;
  const claudeCost = 1_000n + BigInt(i * 311 + a * 97 + j * 13);
  return testTurn({
    agentId: AGENTS[a]!,
    fingerprint: FINGERPRINTS[i]!,
    lane,
    taskTypeId: j % 7 === 6 ? null : TASK_OF[lane],
    servedModel: unpriced
      ? NEW_MODEL
      : lane === "claude"
        ? "claude-opus-4-6"
        : lane === "sidecar"
          ? "sidecar"
          : "qwen3:8b",
    requestedModel: unpriced ? NEW_MODEL : "claude-opus-4-6",
    contextForcedClaude: lane === "claude" && j % 3 === 0,
    costMicroUsd: unpriced ? null : lane === "claude" ? claudeCost : lane === "sidecar" ? 0n : BigInt(7 + j),
    counterfactualMicroUsd: unpriced ? null : lane === "claude" ? claudeCost : BigInt(5_000 + i * 131 + a * 17 + j * 3),
    startedAt,
  });
}

/**
 * Inside the window: fingerprint i's agents a (not where (i + a) % 4 is 3) with 1 + 3i + a turns each,
 * so that no two fingerprints tie in either sort; every start distinct, spread over the window.
 */
function windowTurns(): TurnRecord[] {
  const turns: TurnRecord[] = [];
  for (let i = 0; i < FINGERPRINTS.length; i++)
    for (let a = 0; a < AGENTS.length; a++) {
      if ((i + a) % 4 === 3) continue;
      for (let j = 0; j < 1 + 3 * i + a; j++) {
        const slot = (j * 7 + i * 13 + a * 29) % 5_000;
        turns.push(recurringTurn(i, a, j, new Date(NOW.getTime() - slot * 100_000 - (i * 3 + a) - 1)));
      }
    }
  return turns;
}

/** Turns before the window (a day and more before, and the last millisecond before it), and one at its first. */
function edgeTurns(): TurnRecord[] {
  return [
    ...FINGERPRINTS.map((_, i) => recurringTurn(i, 0, 2, new Date(NOW.getTime() - 8 * DAY - i * HOUR))),
    recurringTurn(0, 1, 2, new Date(WINDOW_START.getTime() - 1)),
    recurringTurn(5, 2, 2, new Date(NOW.getTime() - 40 * DAY)),
    recurringTurn(1, 2, 3, WINDOW_START),
    // Turns without a fingerprint (reported) count nowhere here.
    testTurn({ agentId: "ops", fingerprint: null, source: "reported", startedAt: new Date(NOW.getTime() - HOUR) }),
  ];
}

type TurnAggregate = RecurringRow;

/** The recurring turns as a straight aggregation of the window's turns in Turn computes them. */
async function recurringFromTurns(
  db: Db,
  raw: z.input<typeof recurringInput>,
  now: Date,
): Promise<{ windowDays: number; since: Date; fingerprints: RecurringFingerprint[] }> {
  const input = recurringInput.parse(raw);
  const since = new Date(`${utcDay(new Date(now.getTime() - 6 * DAY))}T00:00:00Z`);
  const rows = await db.prisma.$queryRawUnsafe<TurnAggregate[]>(
    `select f."id", f."template", f."firstSeenAt", f."taskTypeId" as "ruleTaskTypeId", tt."lane"::text as "ruleLane",
       f."assignedBy", f."assignedAt", count(*)::int as "turns", count(distinct t."agentId")::int as "agents",
       (count(*) filter (where t."lane" = 'claude'))::int as "claudeTurns",
       (count(*) filter (where t."contextForcedClaude"))::int as "contextForcedTurns",
       coalesce(sum(t."costMicroUsd"), 0)::bigint as "cost", coalesce(sum(t."counterfactualMicroUsd"), 0)::bigint as "counterfactual",
       (array_agg(t."lane"::text order by t."startedAt" desc))[1] as "lastLane",
       (array_agg(t."taskTypeId" order by t."startedAt" desc))[1] as "lastTaskTypeId",
       max(t."startedAt") as "lastSeenAt"
     from "Turn" t join "Fingerprint" f on f."id" = t."fingerprint" left join "TaskType" tt on tt."id" = f."taskTypeId"
     where t."startedAt" >= $1::timestamp(3) and ($2::text is null or t."agentId" = $2::text)
     group by f."id", tt."lane"`,
    wallClock(since),
    input.agentId ?? null,
  );
  const key = (r: TurnAggregate): [bigint, bigint] =>
    input.sort === "cost" ? [r.counterfactual, BigInt(r.turns)] : [BigInt(r.turns), r.counterfactual];
  const sorted = rows.sort((x, y) => {
    const [a1, a2] = key(x);
    const [b1, b2] = key(y);
    return a1 !== b1 ? (b1 > a1 ? 1 : -1) : a2 !== b2 ? (b2 > a2 ? 1 : -1) : 0;
  });
  // The data leaves no ties, so that the order (and a limit's cut) is one.
  for (let k = 1; k < sorted.length; k++) expect(key(sorted[k - 1]!)).not.toEqual(key(sorted[k]!));
  return {
    windowDays: 7,
    since,
    fingerprints: sorted.slice(0, input.limit).map((r) => {
      const days = daysObserved(since, r.firstSeenAt, now);
      return {
        id: r.id,
        template: r.template,
        turns: r.turns,
        turnsPerDay: perDay(r.turns, days),
        agents: r.agents,
        costMicroUsdPerDay: microUsdPerDay(r.cost, days),
        counterfactualMicroUsdPerDay: microUsdPerDay(r.counterfactual, days),
        claudeShare: r.turns ? r.claudeTurns / r.turns : 0,
        contextForcedTurns: r.contextForcedTurns,
        lane: r.ruleLane ?? r.lastLane,
        taskTypeId: r.ruleTaskTypeId ?? r.lastTaskTypeId,
        rule: r.ruleTaskTypeId
          ? { taskTypeId: r.ruleTaskTypeId, assignedBy: r.assignedBy, assignedAt: r.assignedAt }
          : null,
        lastSeenAt: r.lastSeenAt,
      };
    }),
  };
}

const INPUTS: z.input<typeof recurringInput>[] = [
  {},
  { sort: "cost" },
  { limit: 2 },
  { limit: 3, sort: "cost" },
  { agentId: "worker-1" },
  { agentId: "ops", sort: "cost" },
  { agentId: "loash", limit: 2 },
  { agentId: "nobody" },
];

for (const target of testDatabases()) {
  describe(`recurring turns from FingerprintDailyUsage on ${target.kind}`, () => {
    let db: Db;
    let recorded: TurnRecord[];
    afterAll(() => target.cleanup());
    beforeEach(async () => {
      invalidateGatewayState();
      resetTurnWriter();
      db = await target.create();
      await seedCatalogue(db);
      for (const id of AGENTS) await addAgent(db, { id });
      // Interleaved batches: a row of the rollup is added to by several batches, older turns after newer.
      recorded = [...windowTurns(), ...edgeTurns()];
      for (let b = 0; b < 3; b++)
        await recordTurns(
          db,
          recorded.filter((_, k) => k % 3 === b),
        );
    });
    afterEach(() => invalidateGatewayState());

    /** Every input, read both ways. */
    const expectSameAsTurns = async () => {
      for (const input of INPUTS) {
        const read = await readRecurringFingerprints(db, input, NOW);
        expect(read, JSON.stringify(input)).toEqual(await recurringFromTurns(db, input, NOW));
      }
    };
    const rollupRows = () =>
      db.prisma.fingerprintDailyUsage.findMany({
        orderBy: [{ day: "asc" }, { fingerprint: "asc" }, { agentId: "asc" }],
      });

    it("gives what the window's turns give, for both sorts, an agent and a limit, over 7 UTC days", async () => {
      const all = await readRecurringFingerprints(db, {}, NOW);
      expect(all.since).toEqual(WINDOW_START);
      expect(all.fingerprints.map((f) => [f.id, f.turns, f.agents])).toEqual([
        [FINGERPRINTS[4]!.id, 42, 3],
        [FINGERPRINTS[5]!.id, 33, 2],
        [FINGERPRINTS[3]!.id, 23, 2],
        [FINGERPRINTS[2]!.id, 16, 2],
        [FINGERPRINTS[1]!.id, 10, 3], // the turn at the window's first millisecond counts, its agent too
        [FINGERPRINTS[0]!.id, 6, 3], // the one a millisecond before does not
      ]);
      await expectSameAsTurns();
      // An operator rule decides the lane and task type a matching turn takes now.
      await assignFingerprint(db, { id: FINGERPRINTS[3]!.id, taskTypeId: "heartbeat", from: null }, "ann");
      await expectSameAsTurns();
      // A removed agent keeps its history, in Turn and in the rollup alike.
      await removeAgent(db, "ops");
      await expectSameAsTurns();
    });

    it("counts a replayed turn once: refused with its batch, set aside by the turn writer", async () => {
      // A spooled turn replayed after it was stored (the process died before the spool forgot it).
      const again = recorded.find((t) => t.fingerprint?.id === FINGERPRINTS[2]!.id)!;
      const fresh = recurringTurn(0, 0, 4, new Date(NOW.getTime() - 2 * HOUR - 7));
      const before = await rollupRows();
      await expect(recordTurns(db, [fresh, again])).rejects.toThrow();
      expect(await rollupRows()).toEqual(before);
      // The writer splits the refused batch: the new turn is stored, the replayed one set aside.
      configureTurnWriter(async () => db);
      await enqueueTurns(again, fresh);
      await flushTurns();
      expect(await db.prisma.deadTurn.count({ where: { id: again.id } })).toBe(1);
      expect(await db.prisma.turn.count({ where: { id: { in: [again.id, fresh.id] } } })).toBe(2);
      await expectSameAsTurns();
      expect((await readRecurringFingerprints(db, {}, NOW)).fingerprints.at(-1)).toMatchObject({ turns: 7 });
    });

    it("moves with the turns' costs when a price is added and undone, and a rebuild changes nothing", async () => {
      const unpricedBefore = await db.prisma.turn.count({ where: { costMicroUsd: null, fingerprint: { not: null } } });
      expect(unpricedBefore).toBeGreaterThan(5);
      const { change, repricedTurns } = await addModelPrice(
        db,
        { model: "claude-sonnet-4-7", usdPerMTok: SONNET_USD },
        "operator",
      );
      expect(repricedTurns).toBe(unpricedBefore);
      await expectSameAsTurns();
      const priced = await rollupRows();
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 60 * DAY), new Date(NOW.getTime() + DAY));
      expect(await rollupRows()).toEqual(priced);

      await undoTierChange(db, change.id, "operator");
      expect(await db.prisma.turn.count({ where: { costMicroUsd: null, fingerprint: { not: null } } })).toBe(
        unpricedBefore,
      );
      await expectSameAsTurns();
      const unpriced = await rollupRows();
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 60 * DAY), new Date(NOW.getTime() + DAY));
      expect(await rollupRows()).toEqual(unpriced);
      await expectSameAsTurns();
    });

    it("is rebuilt from the turns for the days asked, leaving the others", async () => {
      const kept = await rollupRows();
      await db.prisma.fingerprintDailyUsage.updateMany({ data: { turns: 999, lastLane: "sidecar" } });
      await rebuildDailyUsage(db, WINDOW_START, new Date(NOW.getTime() + DAY));
      const after = await rollupRows();
      const inWindow = (r: { day: Date }) => r.day >= WINDOW_START;
      expect(after.filter(inWindow)).toEqual(kept.filter(inWindow));
      expect(after.filter((r) => !inWindow(r)).every((r) => r.turns === 999)).toBe(true);
      await rebuildDailyUsage(db, new Date(NOW.getTime() - 60 * DAY), WINDOW_START);
      expect(await rollupRows()).toEqual(kept);
    });
  });
}
