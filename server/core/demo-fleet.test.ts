import { describe, expect, it } from "vitest";
import { generateDemoTurns, DEMO_AGENTS } from "./demo-fleet";
import { SEED_CATALOGUE } from "./catalogue";
import { DEFAULT_PRICE_TABLE, USAGE_TYPES } from "./cost/price-table";
import { DEFAULT_SETTINGS } from "./settings-defaults";
import type { PricePerMTok } from "./cost/price-usage";
import { LANE_TIER } from "./lanes";

const prices = new Map(
  DEFAULT_PRICE_TABLE.map((r) => [
    r.model,
    Object.fromEntries(USAGE_TYPES.map((u) => [u, BigInt(r[u])])) as PricePerMTok,
  ]),
);
const now = new Date("2026-11-20T15:30:00.000Z");
const make = () => {
  let n = 0;
  return generateDemoTurns({
    now,
    days: 7,
    catalogue: SEED_CATALOGUE,
    prices,
    settings: DEFAULT_SETTINGS,
    makeId: () => `t${n++}`,
  });
};

describe("generateDemoTurns", () => {
  const turns = make();

  it("is deterministic", () => {
    expect(make()).toEqual(turns);
  });

  it("gives each agent one turn per heartbeat over its active hours, none in the future", () => {
    for (const agent of DEMO_AGENTS) {
      const first = turns.filter((t) => t.agentId === agent.id && t.escalatedFromTurnId === null);
      expect(first).toHaveLength(7 * 192);
    }
    expect(turns.every((t) => t.startedAt <= now || t.escalatedFromTurnId !== null)).toBe(true);
  });

  it("follows pins and lanes: worker-1 never uses Claude first, flere-imsaho only Claude, no tier-3 work on a local lane", () => {
    const tierOf = new Map(SEED_CATALOGUE.map((t) => [t.id, LANE_TIER[t.lane]]));
    expect(
      turns.filter((t) => t.agentId === "worker-1" && t.escalatedFromTurnId === null).every((t) => t.lane !== "claude"),
    ).toBe(true);
    expect(turns.filter((t) => t.agentId === "flere-imsaho").every((t) => t.lane === "claude")).toBe(true);
    expect(turns.filter((t) => t.lane !== "claude").every((t) => tierOf.get(t.taskTypeId!)! < 3)).toBe(true);
  });

  it("pairs every escalated local turn with a Claude re-run and counts the counterfactual once", () => {
    const escalated = turns.filter((t) => t.status === "escalated");
    expect(escalated.length).toBeGreaterThan(0);
    for (const local of escalated) {
      const rerun = turns.find((t) => t.escalatedFromTurnId === local.id)!;
      expect(rerun.lane).toBe("claude");
      expect(local.counterfactualMicroUsd).toBe(0n);
      expect(rerun.counterfactualMicroUsd).toBe(rerun.costMicroUsd);
    }
  });

  it("costs local turns electricity only, far below their Claude counterfactual", () => {
    const local = turns.filter((t) => t.lane !== "claude" && t.status === "ok");
    const cost = local.reduce((s, t) => s + t.costMicroUsd!, 0n);
    const counterfactual = local.reduce((s, t) => s + t.counterfactualMicroUsd!, 0n);
    expect(cost * 20n < counterfactual).toBe(true);
  });
});
