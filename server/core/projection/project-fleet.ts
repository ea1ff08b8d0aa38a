// What a fleet costs a day and a month on Claude, and what offloading tiers saves: from
// assumptions (the seed's table) or from what the fleet measured. Money is integer micro-dollars;
// each figure is one product rounded once, never a sum of rounded floats.

export const DAYS_PER_MONTH = 30;

export type OffloadScenario = {
  id: string;
  label: string;
  /** Share of turns that no longer reach Claude, 0..1. */
  offloadedShare: number;
};

const DEFAULT_SCENARIOS: readonly OffloadScenario[] = [
  { id: "all-claude", label: "All Claude", offloadedShare: 0 },
  { id: "tier-1", label: "Tier 1 offloaded", offloadedShare: 0.65 },
  { id: "tier-1-2", label: "Tier 1+2 offloaded", offloadedShare: 0.8 },
];

export type ProjectionInput = {
  agents: number;
  heartbeatMinutes: number;
  /** Hours a day the agents are active. */
  activeHours: number;
  /** Cost of one Claude turn, low and high, in micro-dollars. */
  turnCostLow: bigint;
  turnCostHigh: bigint;
  /** Offload scenarios; the seed's three by default. */
  shares?: readonly OffloadScenario[];
};

export type ScenarioProjection = OffloadScenario & {
  claudeTurnsPerDay: number;
  dailyLowMicroUsd: bigint;
  dailyHighMicroUsd: bigint;
  monthlyLowMicroUsd: bigint;
  monthlyHighMicroUsd: bigint;
  /** Saving against all-Claude, per day. */
  savedDailyLowMicroUsd: bigint;
  savedDailyHighMicroUsd: bigint;
  /** Saving as a share of the all-Claude spend (equal to offloadedShare by construction). */
  savingShare: number;
};

export type FleetProjection = {
  turnsPerDay: number;
  scenarios: ScenarioProjection[];
};

export class ProjectionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function checkInput(input: ProjectionInput): void {
  const positive = (field: keyof ProjectionInput, value: number) => {
    if (!Number.isFinite(value) || value <= 0)
      throw new ProjectionInputError(field, `must be a positive number, got ${value}`);
  };
  positive("agents", input.agents);
  positive("heartbeatMinutes", input.heartbeatMinutes);
  positive("activeHours", input.activeHours);
  if (input.activeHours > 24)
    throw new ProjectionInputError("activeHours", `must be at most 24, got ${input.activeHours}`);
  if (input.turnCostLow < 0n) throw new ProjectionInputError("turnCostLow", "must not be negative");
  if (input.turnCostHigh < input.turnCostLow)
    throw new ProjectionInputError("turnCostHigh", "must not be below turnCostLow");
  for (const s of input.shares ?? []) {
    if (!(s.offloadedShare >= 0 && s.offloadedShare <= 1))
      throw new ProjectionInputError("shares", `${s.id}: offloaded share must be between 0 and 1`);
  }
}

/** Rounds turns x micro-dollars once, half away from zero. */
function times(turns: number, microUsd: bigint): bigint {
  return BigInt(Math.round(turns * Number(microUsd)));
}

function projectScenarios(
  turnsPerDay: number,
  turnCostLow: bigint,
  turnCostHigh: bigint,
  shares: readonly OffloadScenario[],
): ScenarioProjection[] {
  const allLow = times(turnsPerDay, turnCostLow);
  const allHigh = times(turnsPerDay, turnCostHigh);
  return shares.map((s) => {
    // Round the Claude turn count to 1e-9 so 960 x 0.35 is 336, not 336.00000000000006.
    const claudeTurnsPerDay = Math.round(turnsPerDay * (1 - s.offloadedShare) * 1e9) / 1e9;
    const dailyLow = times(claudeTurnsPerDay, turnCostLow);
    const dailyHigh = times(claudeTurnsPerDay, turnCostHigh);
    return {
      ...s,
      claudeTurnsPerDay,
      dailyLowMicroUsd: dailyLow,
      dailyHighMicroUsd: dailyHigh,
      monthlyLowMicroUsd: dailyLow * BigInt(DAYS_PER_MONTH),
      monthlyHighMicroUsd: dailyHigh * BigInt(DAYS_PER_MONTH),
      savedDailyLowMicroUsd: allLow - dailyLow,
      savedDailyHighMicroUsd: allHigh - dailyHigh,
      savingShare: s.offloadedShare,
    };
  });
}

/** The seed's projection: turns a day from heartbeats, and Claude spend per offload scenario. */
export function projectFleet(input: ProjectionInput): FleetProjection {
  checkInput(input);
  const turnsPerDay = Math.round(((input.agents * input.activeHours * 60) / input.heartbeatMinutes) * 1e9) / 1e9;
  return {
    turnsPerDay,
    scenarios: projectScenarios(turnsPerDay, input.turnCostLow, input.turnCostHigh, input.shares ?? DEFAULT_SCENARIOS),
  };
}

export type MeasuredUsage = {
  /** Days the figures cover (at least 1). */
  days: number;
  turns: number;
  localTurns: number;
  claudeSpendMicroUsd: bigint;
  localCostMicroUsd: bigint;
  /** What all of these turns would have cost on Claude. */
  counterfactualMicroUsd: bigint;
};

export type MeasuredProjection = FleetProjection & {
  days: number;
  localShare: number;
  /** Mean all-Claude cost of one turn, measured. */
  claudeTurnCostMicroUsd: bigint;
  actualDailyMicroUsd: bigint;
  actualMonthlyMicroUsd: bigint;
  allClaudeDailyMicroUsd: bigint;
  savedDailyMicroUsd: bigint;
  savedMonthlyMicroUsd: bigint;
};

/** The same projection from what the fleet measured: its turns a day and its all-Claude cost per turn. */
export function projectFromMeasured(
  m: MeasuredUsage,
  shares: readonly OffloadScenario[] = DEFAULT_SCENARIOS,
): MeasuredProjection {
  if (!(m.days >= 1)) throw new ProjectionInputError("days", `must be at least 1, got ${m.days}`);
  const turnsPerDay = m.turns / m.days;
  const claudeTurnCost = m.turns > 0 ? (m.counterfactualMicroUsd + BigInt(m.turns) / 2n) / BigInt(m.turns) : 0n;
  const perDay = (micro: bigint) => BigInt(Math.round(Number(micro) / m.days));
  const actualDaily = perDay(m.claudeSpendMicroUsd + m.localCostMicroUsd);
  const allClaudeDaily = perDay(m.counterfactualMicroUsd);
  return {
    turnsPerDay,
    scenarios: projectScenarios(turnsPerDay, claudeTurnCost, claudeTurnCost, shares),
    days: m.days,
    localShare: m.turns > 0 ? m.localTurns / m.turns : 0,
    claudeTurnCostMicroUsd: claudeTurnCost,
    actualDailyMicroUsd: actualDaily,
    actualMonthlyMicroUsd: actualDaily * BigInt(DAYS_PER_MONTH),
    allClaudeDailyMicroUsd: allClaudeDaily,
    savedDailyMicroUsd: allClaudeDaily - actualDaily,
    savedMonthlyMicroUsd: (allClaudeDaily - actualDaily) * BigInt(DAYS_PER_MONTH),
  };
}

/** "0.02" -> 20000n micro-dollars, exactly (no float): up to six decimals. */
export function parseUsdToMicro(text: string): bigint | null {
  const m = /^\s*\$?(\d+)(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!m) return null;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0") || "0");
}
