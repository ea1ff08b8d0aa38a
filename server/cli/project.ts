// `offload project`: the seed's cost table from assumptions (or, with --measured, from the fleet's
// last 7 days), as a table or, with --json, with dollar figures as numbers.
import { UsageError, parse, table, withAdmin } from "./cli-support";
import type { Env } from "@/server/process/env";
import { formatMicroUsd, microUsdToNumber } from "@/server/core/money";
import {
  DAYS_PER_MONTH,
  parseUsdToMicro,
  projectFleet,
  ProjectionInputError,
  type ScenarioProjection,
} from "@/server/core/projection/project-fleet";

function positive(value: unknown, flag: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be a positive ${integer ? "whole number" : "number"}, got "${String(value)}"`);
  }
  return n;
}

function turnCost(value: unknown): [bigint, bigint] {
  const text = value === undefined ? "0.02-0.05" : String(value);
  const [lowText, highText, extra] = text.split("-");
  const low = parseUsdToMicro(lowText ?? "");
  const high = highText === undefined ? low : parseUsdToMicro(highText);
  if (extra !== undefined || low === null || high === null)
    throw new UsageError(`--turn-cost must be dollars per Claude turn, "0.03" or a range "0.02-0.05", got "${text}"`);
  if (high < low) throw new UsageError(`--turn-cost: the high end ${highText} is below the low end ${lowText}`);
  return [low, high];
}

const range = (low: bigint, high: bigint) =>
  low === high ? formatMicroUsd(low) : `${formatMicroUsd(low)}-${formatMicroUsd(high).replace("$", "")}`;
const share = (s: number) => `${Math.round(s * 100)}%`;
const turns = (n: number) =>
  Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 1 });

function scenarioRows(scenarios: ScenarioProjection[]): string[][] {
  return [
    [
      "SCENARIO",
      "OFFLOADED",
      "CLAUDE TURNS/DAY",
      "PER DAY",
      `PER MONTH (${DAYS_PER_MONTH} D)`,
      "SAVED PER DAY",
      "SAVING",
    ],
    ...scenarios.map((s) => [
      s.label,
      share(s.offloadedShare),
      turns(s.claudeTurnsPerDay),
      range(s.dailyLowMicroUsd, s.dailyHighMicroUsd),
      range(s.monthlyLowMicroUsd, s.monthlyHighMicroUsd),
      range(s.savedDailyLowMicroUsd, s.savedDailyHighMicroUsd),
      share(s.savingShare),
    ]),
  ];
}

const dollars = (micro: bigint) => microUsdToNumber(micro);

function scenarioJson(s: ScenarioProjection) {
  return {
    id: s.id,
    label: s.label,
    offloadedShare: s.offloadedShare,
    claudeTurnsPerDay: s.claudeTurnsPerDay,
    dailyLow: dollars(s.dailyLowMicroUsd),
    dailyHigh: dollars(s.dailyHighMicroUsd),
    monthlyLow: dollars(s.monthlyLowMicroUsd),
    monthlyHigh: dollars(s.monthlyHighMicroUsd),
    savedDailyLow: dollars(s.savedDailyLowMicroUsd),
    savedDailyHigh: dollars(s.savedDailyHighMicroUsd),
    savingShare: s.savingShare,
  };
}

export async function projectCommand(env: Env, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    agents: { type: "string" },
    "heartbeat-min": { type: "string" },
    hours: { type: "string" },
    "turn-cost": { type: "string" },
    measured: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (positionals.length) throw new UsageError(`project takes no arguments, got "${positionals.join(" ")}"`);

  if (values.measured) {
    for (const flag of ["agents", "heartbeat-min", "hours", "turn-cost"] as const) {
      if (values[flag] !== undefined)
        throw new UsageError(`--${flag} is an assumption; --measured uses the fleet's own numbers instead`);
    }
    const m = await withAdmin(env, ({ client }) => client.fleet.measuredProjection.query());
    if (values.json) {
      console.log(
        JSON.stringify({
          measured: { from: m.from, to: m.to, days: m.days },
          turnsPerDay: m.turnsPerDay,
          localShare: m.localShare,
          claudeTurnCost: dollars(m.claudeTurnCostMicroUsd),
          actualDaily: dollars(m.actualDailyMicroUsd),
          actualMonthly: dollars(m.actualMonthlyMicroUsd),
          allClaudeDaily: dollars(m.allClaudeDailyMicroUsd),
          savedDaily: dollars(m.savedDailyMicroUsd),
          savedMonthly: dollars(m.savedMonthlyMicroUsd),
          scenarios: m.scenarios.map(scenarioJson),
        }),
      );
      return 0;
    }
    console.log(
      `Measured over ${m.days} day(s), ${m.from} to ${m.to} (UTC): ${turns(Math.round(m.turnsPerDay * 10) / 10)} turns/day, ${share(m.localShare)} served locally.`,
    );
    console.log(`An all-Claude turn costs ${formatMicroUsd(m.claudeTurnCostMicroUsd)} on average.`);
    console.log(
      `Now: ${formatMicroUsd(m.actualDailyMicroUsd)}/day (${formatMicroUsd(m.actualMonthlyMicroUsd)}/month) against ${formatMicroUsd(m.allClaudeDailyMicroUsd)}/day all-Claude: saving ${formatMicroUsd(m.savedDailyMicroUsd)}/day, ${formatMicroUsd(m.savedMonthlyMicroUsd)}/month.\n`,
    );
    console.log(table(scenarioRows(m.scenarios), [1, 2, 3, 4, 5, 6]));
    return 0;
  }

  const agents = positive(values.agents, "agents", 5, true);
  const heartbeatMinutes = positive(values["heartbeat-min"], "heartbeat-min", 5);
  const activeHours = positive(values.hours, "hours", 16);
  if (activeHours > 24) throw new UsageError(`--hours must be at most 24, got "${String(values.hours)}"`);
  const [turnCostLow, turnCostHigh] = turnCost(values["turn-cost"]);
  let p;
  try {
    p = projectFleet({ agents, heartbeatMinutes, activeHours, turnCostLow, turnCostHigh });
  } catch (err) {
    if (err instanceof ProjectionInputError) throw new UsageError(err.message);
    throw err;
  }
  if (values.json) {
    console.log(
      JSON.stringify({
        agents,
        heartbeatMinutes,
        activeHours,
        turnCostLow: dollars(turnCostLow),
        turnCostHigh: dollars(turnCostHigh),
        turnsPerDay: p.turnsPerDay,
        scenarios: p.scenarios.map(scenarioJson),
      }),
    );
    return 0;
  }
  console.log(
    `${agents} agent(s), a heartbeat every ${heartbeatMinutes} min, ${activeHours} h a day: ${turns(p.turnsPerDay)} turns/day at ${range(turnCostLow, turnCostHigh)} a Claude turn.\n`,
  );
  console.log(table(scenarioRows(p.scenarios), [1, 2, 3, 4, 5, 6]));
  return 0;
}
