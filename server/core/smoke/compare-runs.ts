// Statistics for smoke runs, pure: a pass rate with its 95% Wilson score interval (sound for
// small counts and for 0/n or n/n, unlike the normal approximation); per-task and per-capability
// summaries of a run; the capability matrix's marks; and the tier moves the evidence supports.
import { percentile } from "../stats";
import { LANE_LABEL, type Lane } from "../lanes";
import { CAPABILITY_LABEL, TASK_TYPE_CAPABILITIES, type Capability } from "./suite";

export function passRateInterval(passed: number, total: number, z = 1.96): { rate: number; low: number; high: number } {
  if (total <= 0) return { rate: 0, low: 0, high: 0 };
  const p = passed / total;
  const z2 = z * z;
  const denom = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denom;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** One graded answer as the comparison needs it (a SmokeResult row fits). */
export type SmokeResultLike = {
  task: string;
  capability: string;
  iteration: number;
  passed: boolean;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: bigint | null;
};

export type SmokeStats = {
  passed: number;
  answers: number;
  rate: number;
  /** 95% Wilson interval of the pass rate. */
  low: number;
  high: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Mean input + output tokens per answer. */
  tokensPerAnswer: number | null;
  /** What one pass over these tasks costs (each task's mean an answer, summed); null when an answer could not be priced. */
  costPerRunMicroUsd: bigint | null;
  costPer1000RunsMicroUsd: bigint | null;
  /** Passed in some repetitions and failed in others. */
  flips: boolean;
};

export type RunSummary = {
  overall: SmokeStats;
  byCapability: Record<string, SmokeStats>;
  byTask: Record<string, SmokeStats>;
};

export function summariseResults(results: readonly SmokeResultLike[]): SmokeStats {
  const passed = results.filter((r) => r.passed).length;
  const { rate, low, high } = passRateInterval(passed, results.length);
  const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  // A run's cost is the sum over its tasks of each task's mean cost an answer: right for repeated
  // suites and for tasks answered a different number of times (a cancelled run: the tasks it got to).
  const perTask = new Map<string, { cost: bigint; answers: number }>();
  let unpriced = false;
  for (const r of results) {
    const t = perTask.get(r.task) ?? { cost: 0n, answers: 0 };
    t.answers++;
    if (r.costMicroUsd !== null) t.cost += r.costMicroUsd;
    else if (r.inputTokens + r.outputTokens > 0) unpriced = true;
    perTask.set(r.task, t);
  }
  let per1000: bigint | null = results.length && !unpriced ? 0n : null;
  if (per1000 !== null) for (const t of perTask.values()) per1000 += (t.cost * 1000n) / BigInt(t.answers);
  const tasks = new Map<string, Set<boolean>>();
  for (const r of results) tasks.set(r.task, (tasks.get(r.task) ?? new Set()).add(r.passed));
  return {
    passed,
    answers: results.length,
    rate,
    low,
    high,
    latencyP50Ms: results.length ? percentile(latencies, 0.5) : null,
    latencyP95Ms: results.length ? percentile(latencies, 0.95) : null,
    tokensPerAnswer: results.length
      ? Math.round(results.reduce((s, r) => s + r.inputTokens + r.outputTokens, 0) / results.length)
      : null,
    costPerRunMicroUsd: per1000 === null ? null : (per1000 + 500n) / 1000n,
    costPer1000RunsMicroUsd: per1000,
    flips: [...tasks.values()].some((s) => s.size > 1),
  };
}

function groupBy(results: readonly SmokeResultLike[], key: (r: SmokeResultLike) => string): Record<string, SmokeStats> {
  const groups = new Map<string, SmokeResultLike[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].map(([k, v]) => [k, summariseResults(v)]));
}

export function summariseRun(results: readonly SmokeResultLike[]): RunSummary {
  return {
    overall: summariseResults(results),
    byCapability: groupBy(results, (r) => r.capability),
    byTask: groupBy(results, (r) => r.task),
  };
}

/** The capability matrix's marks: ✅ at 95% or more, ⚠️ from 80%, ❌ below. */
const MATRIX_THRESHOLDS = { good: 0.95, fair: 0.8 } as const;
export type Mark = "good" | "fair" | "poor";
export const MARK_SYMBOL: Record<Mark, string> = { good: "✅", fair: "⚠️", poor: "❌" };
export const MARK_MEANING: Record<Mark, string> = {
  good: `passes ${MATRIX_THRESHOLDS.good * 100}% or more`,
  fair: `passes ${MATRIX_THRESHOLDS.fair * 100}% to under ${MATRIX_THRESHOLDS.good * 100}%`,
  poor: `passes under ${MATRIX_THRESHOLDS.fair * 100}%`,
};

export function capabilityMark(stats: SmokeStats | undefined): Mark | null {
  if (!stats || stats.answers === 0) return null;
  return stats.rate >= MATRIX_THRESHOLDS.good ? "good" : stats.rate >= MATRIX_THRESHOLDS.fair ? "fair" : "poor";
}

/**
 * Moving work towards the local model needs more than a lucky handful: the lower end of the pass
 * rate's 95% interval must reach 70% (10 passes out of 10 do; 2 out of 2 do not).
 */
export const PROMOTION_MIN_LOWER_BOUND = 0.7;
/** Moving work away from the local model needs at least this many answers of the capability: one bad answer is a hint, not evidence. */
export const DEMOTION_MIN_ANSWERS = 3;

export type TierProposal = {
  taskTypeId: string;
  taskTypeName: string;
  from: Lane;
  to: Lane;
  capabilities: Capability[];
  /** Why, in numbers: "git workflows passed 20/20 on ollama/qwen3:8b (95% interval 84-100%)". */
  evidence: string;
  /** The question the button asks. */
  question: string;
};

const pct = (x: number) => Math.round(x * 100);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function describeEvidence(
  capability: Capability,
  local: { model: string; stats: SmokeStats },
  claude: { model: string; stats: SmokeStats | undefined } | null,
): string {
  const s = local.stats;
  let text = `${lowerFirst(CAPABILITY_LABEL[capability])} passed ${s.passed}/${s.answers} on ${local.model} (95% interval ${pct(s.low)}-${pct(s.high)}%)`;
  if (claude?.stats) text += `; ${claude.stats.passed}/${claude.stats.answers} on ${claude.model}`;
  return text;
}

/**
 * The lane changes a local model's smoke evidence supports, for the task types that rely only on
 * capabilities the suite measures. Conservative both ways:
 * - to `local_careful` from `claude` when every capability is ✅ with enough answers;
 * - to `local_careful` from `local` when one is ⚠️ (keep it local, but checked);
 * - to `claude` from a local lane when one is ❌, unless a compared Claude run did no better (then
 *   the task, not the model, is in doubt).
 * Moves away from the local model need DEMOTION_MIN_ANSWERS answers of the capability.
 * Sidecar task types need no model and are never moved; nothing is ever moved to `local` outright.
 */
export function proposeTierMoves(input: {
  local: { model: string; summary: RunSummary };
  claude?: { model: string; summary: RunSummary } | null;
  taskTypes: readonly { id: string; name: string; lane: Lane }[];
}): TierProposal[] {
  const proposals: TierProposal[] = [];
  for (const tt of input.taskTypes) {
    const caps = TASK_TYPE_CAPABILITIES[tt.id];
    if (!caps || tt.lane === "sidecar") continue;
    const measured = caps.map((c) => ({ c, stats: input.local.summary.byCapability[c] }));
    if (measured.some((m) => !m.stats || m.stats.answers === 0)) continue;
    const marks = measured.map((m) => ({ ...m, mark: capabilityMark(m.stats)! }));
    const evidence = (list: typeof marks) =>
      list
        .map((m) =>
          describeEvidence(
            m.c,
            { model: input.local.model, stats: m.stats! },
            input.claude ? { model: input.claude.model, stats: input.claude.summary.byCapability[m.c] } : null,
          ),
        )
        .join("; ");

    const enough = (m: (typeof marks)[number]) => m.stats!.answers >= DEMOTION_MIN_ANSWERS;
    const poor = marks.filter((m) => m.mark === "poor" && enough(m));
    const fair = marks.filter((m) => m.mark === "fair" && enough(m));
    let to: Lane | null = null;
    let cited = marks;
    if (poor.length && tt.lane !== "claude") {
      const claudeNoBetter =
        input.claude &&
        poor.every((m) => {
          const c = input.claude!.summary.byCapability[m.c];
          return c && c.answers > 0 && c.rate <= m.stats!.rate;
        });
      if (!claudeNoBetter) {
        to = "claude";
        cited = poor;
      }
    } else if (!poor.length && fair.length && tt.lane === "local") {
      to = "local_careful";
      cited = fair;
    } else if (
      tt.lane === "claude" &&
      marks.every((m) => m.mark === "good" && m.stats!.low >= PROMOTION_MIN_LOWER_BOUND)
    ) {
      to = "local_careful";
    }
    if (!to) continue;
    const ev = evidence(cited);
    proposals.push({
      taskTypeId: tt.id,
      taskTypeName: tt.name,
      from: tt.lane,
      to,
      capabilities: cited.map((m) => m.c),
      evidence: ev,
      question: `${ev.charAt(0).toUpperCase()}${ev.slice(1)}: move ${tt.name} from ${LANE_LABEL[tt.lane]} to ${LANE_LABEL[to]}?`,
    });
  }
  return proposals;
}

/** A run still going (its process may answer more). */
export const isLiveRun = (status: string): boolean => status === "running" || status === "queued";
/** A run that answered every task: the only kind that is evidence. */
export const isFinishedRun = (status: string): boolean => status === "passed" || status === "failed";

/**
 * Which runs the Smoke page compares when the operator has not chosen: the newest finished local
 * run and the newest finished Claude run (finished: passed or failed, so every task answered).
 */
export function defaultSmokeSelection(runs: readonly { id: string; model: string; status: string }[]): string[] {
  const finished = runs.filter((r) => isFinishedRun(r.status));
  const newest = (provider: string) => finished.find((r) => r.model.startsWith(`${provider}/`))?.id;
  return [newest("ollama"), newest("anthropic")].filter((id): id is string => !!id);
}
