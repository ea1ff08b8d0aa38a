// A demo fleet and 30 days of its turns, generated deterministically so that a new operator sees a
// living dashboard. Pure: prices, settings and the clock come in as arguments.
import type { CatalogueTaskType } from "./catalogue";
import type { Lane, Pin } from "./lanes";
import { LANE_TIER } from "./lanes";
import { createRandom, type Random } from "./random";
import type { TurnRecord } from "./turn-record";
import { priceElectricity, priceUsage, type PricePerMTok, type TokenUsage } from "./cost/price-usage";
import { estimateCounterfactual } from "./cost/estimate-counterfactual";
import { electricityMicroUsdPerKwh, type Settings } from "./settings-defaults";

export type DemoAgent = {
  id: string;
  name: string;
  role: string;
  pin: Pin;
  localModel: string;
  claudeModel: string;
  heartbeatMinutes: number;
  activeHours: number;
  /** Multiplier on the weight of tier-3 work in this agent's mix (0: never). */
  reasoningTilt: number;
};

export const DEMO_AGENTS: readonly DemoAgent[] = [
  {
    id: "worker-1",
    name: "Worker 1",
    role: "Local worker: heartbeats, mailbox, git chores",
    pin: "local",
    localModel: "qwen3:8b",
    claudeModel: "claude-opus-4-6",
    heartbeatMinutes: 5,
    activeHours: 16,
    reasoningTilt: 0,
  },
  {
    id: "flere-imsaho",
    name: "Flere-Imsaho",
    role: "Lead: planning and architecture",
    pin: "claude",
    localModel: "qwen3:8b",
    claudeModel: "claude-opus-4-6",
    heartbeatMinutes: 5,
    activeHours: 16,
    reasoningTilt: 2,
  },
  {
    id: "loash",
    name: "Loash",
    role: "Developer",
    pin: "none",
    localModel: "qwen3:8b",
    claudeModel: "claude-opus-4-6",
    heartbeatMinutes: 5,
    activeHours: 16,
    reasoningTilt: 1,
  },
  {
    id: "gcu",
    name: "GCU",
    role: "Reviewer",
    pin: "none",
    localModel: "qwen3:8b",
    claudeModel: "claude-opus-4-6",
    heartbeatMinutes: 5,
    activeHours: 16,
    reasoningTilt: 1.2,
  },
  {
    id: "ops",
    name: "Ops",
    role: "Operations: deploys, logs, status",
    pin: "none",
    localModel: "qwen3:8b",
    claudeModel: "claude-opus-4-6",
    heartbeatMinutes: 5,
    activeHours: 16,
    reasoningTilt: 0.6,
  },
];

export type DemoInput = {
  now: Date;
  days: number;
  catalogue: readonly CatalogueTaskType[];
  prices: ReadonlyMap<string, PricePerMTok>;
  settings: Settings;
  makeId: () => string;
  seed?: number;
  agents?: readonly DemoAgent[];
};

function laneFor(agent: DemoAgent, taskLane: Lane): Lane {
  if (agent.pin === "local") return taskLane === "local_careful" ? "local_careful" : "local";
  if (agent.pin === "claude") return "claude";
  return taskLane === "sidecar" ? "local" : taskLane;
}

function promptSize(random: Random, tier: number): { prompt: number; output: number } {
  if (tier <= 1) return { prompt: random.int(8_000, 15_000), output: random.int(40, 320) };
  if (tier === 2) return { prompt: random.int(10_000, 18_000), output: random.int(200, 900) };
  return { prompt: random.int(16_000, 40_000), output: random.int(500, 2_500) };
}

function claudeUsage(random: Random, prompt: number, output: number): TokenUsage {
  const write = Math.floor(prompt * (0.03 + random.next() * 0.07));
  const uncached = Math.floor(prompt * (0.04 + random.next() * 0.06));
  const oneHour = random.next() < 0.2;
  return {
    inputTokens: uncached,
    outputTokens: output,
    cacheReadTokens: prompt - write - uncached,
    cacheWrite5mTokens: oneHour ? 0 : write,
    cacheWrite1hTokens: oneHour ? write : 0,
  };
}

/** Generates the demo fleet's turns for the `days` days up to `now` (today's only up to now). */
export function generateDemoTurns(input: DemoInput): TurnRecord[] {
  const random = createRandom(input.seed ?? 20261125);
  const agents = input.agents ?? DEMO_AGENTS;
  const billable = input.catalogue.filter((t) => t.expectedShare > 0);
  const kwh = {
    gpuWatts: input.settings.gpuWatts,
    electricityMicroUsdPerKwh: electricityMicroUsdPerKwh(input.settings),
  };
  const turns: TurnRecord[] = [];

  for (const agent of agents) {
    const mix = billable
      .map((t) => ({ value: t, weight: t.expectedShare * (LANE_TIER[t.lane] === 3 ? agent.reasoningTilt : 1) }))
      .filter((w) => w.weight > 0);
    const claudePrice = input.prices.get(agent.claudeModel);
    for (let d = input.days - 1; d >= 0; d--) {
      // Each day's active window ends at the current time of day, so the fleet looks alive whenever it is opened.
      const dayStart = input.now.getTime() - d * 86_400_000 - agent.activeHours * 3_600_000;
      const slots = Math.floor((agent.activeHours * 60) / agent.heartbeatMinutes);
      for (let slot = 0; slot < slots; slot++) {
        const startedAt = new Date(dayStart + (slot + 1) * agent.heartbeatMinutes * 60_000 - random.int(1, 59) * 1000);
        if (startedAt > input.now) break;
        const task = random.pick(mix);
        const lane = laneFor(agent, task.lane);
        const tier = LANE_TIER[task.lane];
        const { prompt, output } = promptSize(random, tier);
        const base = {
          agentId: agent.id,
          taskTypeId: task.id,
          requestedModel: agent.claudeModel,
          source: "demo" as const,
          startedAt,
        };
        if (lane === "claude") {
          const usage = claudeUsage(random, prompt, output);
          const cost = claudePrice ? priceUsage(usage, claudePrice) : null;
          turns.push({
            ...base,
            id: input.makeId(),
            lane,
            servedModel: agent.claudeModel,
            ...usage,
            latencyMs: random.int(900, 2_500) + output * 12,
            generationMs: null,
            loadMs: null,
            status: random.next() < 0.003 ? "error" : "ok",
            escalatedFromTurnId: null,
            reason: agent.pin === "claude" ? "pinned to claude" : `task type ${task.id} is in lane claude`,
            errorMessage: null,
            costMicroUsd: cost,
            counterfactualMicroUsd: cost,
          });
          continue;
        }
        const evalMs = Math.round((output / (38 + random.next() * 14)) * 1000);
        const generationMs = Math.round(evalMs + prompt / 1.8);
        const coldLoad = random.next() < 0.01;
        const localFails = lane === "local_careful" ? random.next() < 0.06 : random.next() < 0.005;
        const counterfactual = claudePrice
          ? estimateCounterfactual(prompt, output, input.settings.counterfactualCachedShare, claudePrice)
          : null;
        const localTurn: TurnRecord = {
          ...base,
          id: input.makeId(),
          lane,
          servedModel: agent.localModel,
          inputTokens: prompt,
          outputTokens: output,
          cacheReadTokens: 0,
          cacheWrite5mTokens: 0,
          cacheWrite1hTokens: 0,
          latencyMs: generationMs + random.int(40, 160) + (coldLoad ? 4_200 : 0),
          generationMs,
          evalMs,
          loadMs: coldLoad ? random.int(3_500, 5_000) : random.int(5, 40),
          status: localFails ? "escalated" : "ok",
          escalatedFromTurnId: null,
          reason: agent.pin === "local" ? "pinned to local" : `task type ${task.id} is in lane ${task.lane}`,
          errorMessage: localFails
            ? lane === "local_careful"
              ? "check failed: output was not valid JSON"
              : "local model timed out"
            : null,
          costMicroUsd: priceElectricity(generationMs, kwh),
          counterfactualMicroUsd: localFails ? 0n : counterfactual,
        };
        turns.push(localTurn);
        if (localFails) {
          const usage = claudeUsage(random, prompt, output);
          const cost = claudePrice ? priceUsage(usage, claudePrice) : null;
          turns.push({
            ...base,
            id: input.makeId(),
            lane: "claude",
            servedModel: agent.claudeModel,
            ...usage,
            startedAt: new Date(startedAt.getTime() + localTurn.latencyMs),
            latencyMs: random.int(900, 2_500) + output * 12,
            generationMs: null,
            loadMs: null,
            status: "ok",
            escalatedFromTurnId: localTurn.id,
            reason: `escalated from ${lane}: ${localTurn.errorMessage}`,
            errorMessage: null,
            costMicroUsd: cost,
            counterfactualMicroUsd: cost,
          });
        }
      }
    }
  }
  return turns;
}
