// Runs the smoke suite against one model through the provider interface (server/providers): the
// local model through Ollama, Claude with the operator's key. Each task has its own timeout and, when it
// touches files, a fresh temporary sandbox; nothing outside it is written. Every answer and its
// verdict is stored (SmokeResult) as it comes; the run (SmokeRun) can be cancelled. One run at a time
// per model (a second start is refused with CONFLICT), the suite repeated at most SMOKE_MAX_REPEAT
// times, and a run stops early after SMOKE_MAX_CONSECUTIVE_TIMEOUTS timeouts in a row.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Db } from "@/server/db/client";
import { readSettings } from "@/server/db/settings";
import { readPriceMap } from "@/server/db/prices";
import { OffloadError } from "@/server/core/errors";
import type { MessagesRequest } from "@/server/core/gateway/messages-request";
import { ollamaProvider } from "@/server/providers/ollama-provider";
import { rankLocalHosts } from "@/server/health/ollama-hosts";
import { readOllamaHealth } from "@/server/health/read-ollama-health";
import type { OllamaHealth } from "@/server/core/routing/decide-route";
import { claudeProvider } from "@/server/providers/claude-provider";
import { ProviderError } from "@/server/providers/provider";
import type { AnthropicMessage } from "@/server/providers/anthropic-message";
import { processSlot } from "@/server/process/process-registry";
import { electricityMicroUsdPerKwh } from "@/server/core/settings-defaults";
import { priceElectricity } from "@/server/core/cost/price-usage";
import { priceClaudeTurn } from "@/server/core/cost/price-turn";
import { usageFromAnthropic } from "@/server/core/cost/usage-from-anthropic";
import { SMOKE_SUITE, type SmokeAnswer, type SmokeTask, type Verdict } from "@/server/core/smoke/suite";
import { parseSmokeModel, type SmokeModel } from "@/server/core/smoke/smoke-model";
import { isLiveRun } from "@/server/core/smoke/compare-runs";
import { SMOKE_MAX_CONSECUTIVE_TIMEOUTS, SMOKE_MAX_REPEAT } from "@/server/core/smoke/smoke-limits";

export type SmokeResultRow = {
  task: string;
  capability: string;
  iteration: number;
  passed: boolean;
  reason: string;
  latencyMs: number;
  tokens: { input: number; output: number };
  costMicroUsd: bigint | null;
};

export type SmokeProgress = { runId: string; done: number; total: number; passed: number; last: SmokeResultRow };

export type SmokeOptions = {
  model: string;
  repeat?: number;
  /** Per-task timeout, ms (default 60 s). */
  taskTimeoutMs?: number;
  tasks?: readonly SmokeTask[];
  onProgress?: (p: SmokeProgress) => void;
};

const SMOKE_MAX_TOKENS = 1024;

type ModelAnswer = { answer: SmokeAnswer; inputTokens: number; outputTokens: number; costMicroUsd: bigint | null };

const running = processSlot("smokeRuns", () => new Map());
const models = processSlot("smokeModels", () => new Map());

/** Cancels a run in progress in this process; false when it is not running here. */
export function cancelSmokeRun(runId: string): boolean {
  const controller = running.get(runId);
  if (!controller) return false;
  controller.abort(new Error("cancelled"));
  return true;
}

/** The task as an Anthropic Messages request, the one shape every provider takes. */
function smokeRequest(m: SmokeModel, task: SmokeTask): MessagesRequest {
  return {
    model: m.name,
    max_tokens: SMOKE_MAX_TOKENS,
    ...(task.system ? { system: task.system } : {}),
    messages: [{ role: "user", content: task.prompt }],
    ...(task.tools ? { tools: task.tools } : {}),
  };
}

function answerOf(message: AnthropicMessage | null): SmokeAnswer {
  const content = message?.content ?? [];
  return {
    text: content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(""),
    toolCalls: content.flatMap((b) => (b.type === "tool_use" ? [{ name: b.name, input: b.input ?? {} }] : [])),
  };
}

async function askModel(m: SmokeModel, task: SmokeTask, signal: AbortSignal, ctx: RunContext): Promise<ModelAnswer> {
  const call = {
    body: smokeRequest(m, task),
    model: m.name,
    signal,
    // The model's own sampling settings, as agents get them through the gateway (and as Claude
    // runs get theirs): repeated runs then measure how consistent the model really is.
    local: { contextTokens: ctx.settings.localContextTokens, keepAliveMinutes: ctx.settings.localKeepAliveMinutes },
  };
  // A local run goes to the pool's host a gateway turn for the same model would try first.
  const provider =
    m.provider === "ollama"
      ? ollamaProvider(rankLocalHosts({ settings: ctx.settings, health: ctx.health }, m.name).order[0])
      : claudeProvider();
  if (!provider)
    throw new OffloadError("BAD_REQUEST", "ANTHROPIC_API_KEY is not set: Claude runs need the operator's key", "model");
  const r = await provider.send(call);
  if (r.error || !r.message) throw new ProviderError("http", r.error ?? "the answer is not a message", r.status);
  const usage = usageFromAnthropic(r.meter.usage);
  if (m.provider === "ollama")
    return {
      answer: answerOf(r.message),
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costMicroUsd: priceElectricity(r.meter.generationMs ?? 0, {
        gpuWatts: ctx.settings.gpuWatts,
        electricityMicroUsdPerKwh: electricityMicroUsdPerKwh(ctx.settings),
      }),
    };
  return {
    answer: answerOf(r.message),
    inputTokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens,
    outputTokens: usage.outputTokens,
    costMicroUsd: priceClaudeTurn(r.meter.model, usage, ctx.prices).costMicroUsd,
  };
}

type RunContext = {
  settings: Awaited<ReturnType<typeof readSettings>>;
  prices: Awaited<ReturnType<typeof readPriceMap>>;
  health: OllamaHealth;
};

const needsSandbox = (t: SmokeTask) => !!t.files || !!t.tools?.some((x) => x.name === "write_file");

/** Applies the answer's write_file calls inside the sandbox (paths outside it are refused) and reads it back. */
function applyInSandbox(dir: string, answer: SmokeAnswer): { files: Record<string, string>; refused: string | null } {
  let refused: string | null = null;
  for (const c of answer.toolCalls) {
    if (c.name !== "write_file") continue;
    const rel = String(c.input.path ?? "");
    const target = path.resolve(dir, rel);
    if (!rel || path.isAbsolute(rel) || !target.startsWith(dir + path.sep)) {
      refused = `write_file to ${JSON.stringify(rel)} is outside the sandbox; refused`;
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, String(c.input.content ?? ""));
  }
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return { files, refused };
}

/** A per-task timeout for people: "60 s", or "400 ms" below a second. */
const formatTimeout = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

function describeError(err: unknown, timeoutMs: number, cancelled: boolean, timedOut: boolean): string {
  if (cancelled) return "cancelled";
  if (timedOut) return `no answer within ${formatTimeout(timeoutMs)}`;
  const e = err as { name?: string; message?: string; status?: number; code?: string; cause?: { code?: string } };
  if (err instanceof OffloadError) return err.message;
  if ((e?.code ?? e?.cause?.code) === "ECONNREFUSED") return "the model server refused the connection";
  return `the model call failed: ${(e?.message ?? String(err)).slice(0, 200)}`;
}

async function runTask(
  m: SmokeModel,
  task: SmokeTask,
  timeoutMs: number,
  cancel: AbortSignal,
  ctx: RunContext,
): Promise<{ verdict: Verdict; answer: ModelAnswer | null; latencyMs: number; timedOut: boolean }> {
  const sandbox = needsSandbox(task) ? fs.mkdtempSync(path.join(os.tmpdir(), `offload-smoke-${task.id}-`)) : null;
  const started = performance.now();
  try {
    if (sandbox)
      for (const [name, content] of Object.entries(task.files ?? {}))
        fs.writeFileSync(path.join(sandbox, name), content);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([cancel, timeout]);
    // No retry: a model server that breaks off an answer is what a smoke run is there to show.
    let answer: ModelAnswer;
    try {
      answer = await askModel(m, task, signal, ctx);
    } catch (err) {
      if (err instanceof OffloadError) throw err;
      return {
        verdict: { passed: false, reason: describeError(err, timeoutMs, cancel.aborted, timeout.aborted) },
        answer: null,
        latencyMs: Math.round(performance.now() - started),
        timedOut: timeout.aborted && !cancel.aborted,
      };
    }
    const latencyMs = Math.round(performance.now() - started);
    const { files, refused } = sandbox ? applyInSandbox(sandbox, answer.answer) : { files: {}, refused: null };
    const verdict = refused ? { passed: false, reason: refused } : task.grade(answer.answer, files);
    return { verdict, answer, latencyMs, timedOut: false };
  } finally {
    if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
  }
}

/** Creates the run and starts it; `done` resolves with the finished run's results. */
export async function startSmokeRun(
  db: Db,
  options: SmokeOptions,
): Promise<{
  runId: string;
  done: Promise<{ runId: string; status: string; passed: number; total: number; results: SmokeResultRow[] }>;
}> {
  const model = parseSmokeModel(options.model);
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > SMOKE_MAX_REPEAT)
    throw new OffloadError("BAD_REQUEST", `repeat must be a whole number from 1 to ${SMOKE_MAX_REPEAT}`, "repeat");
  if (model.provider === "anthropic" && !claudeProvider())
    throw new OffloadError("BAD_REQUEST", "ANTHROPIC_API_KEY is not set: Claude runs need the operator's key", "model");
  const tasks = options.tasks ?? SMOKE_SUITE;
  const timeoutMs = options.taskTimeoutMs ?? 60_000;
  const total = tasks.length * repeat;
  // The model is taken before anything is awaited, so two starts at once cannot both pass the check.
  const runningHere = models.get(model.id);
  if (runningHere !== undefined) throw busy(model.id, runningHere || null, "here");
  models.set(model.id, "");
  let run: { id: string };
  try {
    await refuseRunElsewhere(db, model.id);
    run = await db.prisma.smokeRun.create({
      data: { model: model.id, status: "running", repeat, total },
      select: { id: true },
    });
  } catch (err) {
    models.delete(model.id);
    throw err;
  }
  models.set(model.id, run.id);
  const controller = new AbortController();
  running.set(run.id, controller);

  const done = (async () => {
    const results: SmokeResultRow[] = [];
    let passed = 0;
    let cost = 0n;
    let status: "passed" | "failed" | "cancelled" | "error" = "passed";
    let error: string | null = null;
    let timeoutsInARow = 0;
    let stopped: string | null = null;
    try {
      const ctx: RunContext = {
        settings: await readSettings(db),
        prices: await readPriceMap(db),
        health: await readOllamaHealth(db),
      };
      for (let iteration = 0; iteration < repeat && !controller.signal.aborted && !stopped; iteration++) {
        for (const task of tasks) {
          if (controller.signal.aborted || stopped) break;
          const { verdict, answer, latencyMs, timedOut } = await runTask(
            model,
            task,
            timeoutMs,
            controller.signal,
            ctx,
          );
          if (controller.signal.aborted && !answer) break;
          timeoutsInARow = timedOut ? timeoutsInARow + 1 : 0;
          // A model server that stopped answering would keep the run going for every task's timeout.
          if (timeoutsInARow >= SMOKE_MAX_CONSECUTIVE_TIMEOUTS)
            stopped = `stopped: ${timeoutsInARow} consecutive timeouts (no answer within ${formatTimeout(timeoutMs)}); ${results.length + 1} of ${total} tasks run, the model server seems to hang`;
          const row: SmokeResultRow = {
            task: task.id,
            capability: task.capability,
            iteration,
            passed: verdict.passed,
            reason: verdict.reason,
            latencyMs,
            tokens: { input: answer?.inputTokens ?? 0, output: answer?.outputTokens ?? 0 },
            costMicroUsd: answer?.costMicroUsd ?? null,
          };
          results.push(row);
          if (row.passed) passed++;
          cost += row.costMicroUsd ?? 0n;
          const output = answer
            ? JSON.stringify({ text: answer.answer.text, toolCalls: answer.answer.toolCalls }).slice(0, 4_000)
            : "";
          await db.prisma.$transaction([
            db.prisma.smokeResult.create({
              data: {
                runId: run.id,
                iteration,
                task: row.task,
                capability: row.capability,
                passed: row.passed,
                reason: row.reason,
                latencyMs,
                inputTokens: row.tokens.input,
                outputTokens: row.tokens.output,
                costMicroUsd: row.costMicroUsd,
                output,
              },
            }),
            db.prisma.smokeRun.update({ where: { id: run.id }, data: { passed, costMicroUsd: cost } }),
          ]);
          options.onProgress?.({ runId: run.id, done: results.length, total, passed, last: row });
        }
      }
      if (controller.signal.aborted) status = "cancelled";
      else if (stopped) {
        status = "error";
        error = stopped;
      } else if (passed < total) status = "failed";
    } catch (err) {
      status = "error";
      error = (err as Error).message;
    } finally {
      running.delete(run.id);
      try {
        await db.prisma.smokeRun.update({
          where: { id: run.id },
          data: { status, error, finishedAt: new Date(), passed, costMicroUsd: cost },
        });
      } finally {
        // Free once the run reads as ended: a start right after never sees it still running.
        models.delete(model.id);
      }
    }
    return { runId: run.id, status, passed, total, results };
  })();
  return { runId: run.id, done };
}

function busy(modelId: string, runId: string | null, where: "here" | "elsewhere"): OffloadError {
  return new OffloadError(
    "CONFLICT",
    `a smoke run on ${modelId} is already running${runId ? ` (${runId})` : ""}${where === "elsewhere" ? " in another Offload process (a CLI run or another server on this database)" : ""}: one run at a time per model; wait for it or cancel it`,
    "model",
  );
}

/** Refuses a second run on a model that a run of another process is still on (runs whose process stopped are ended first). */
async function refuseRunElsewhere(db: Db, modelId: string): Promise<void> {
  const live = () =>
    db.prisma.smokeRun.findFirst({
      where: { model: modelId, status: { in: ["queued", "running"] } },
      select: { id: true, status: true },
    });
  let other = await live();
  if (!other) return;
  await markInterruptedSmokeRuns(db);
  other = await live();
  if (other && isLiveRun(other.status)) throw busy(modelId, other.id, "elsewhere");
}

/**
 * Runs left `running` by a process that stopped (the runner lives in the memory of the server, or
 * of the CLI when no server runs) are marked as errors, so that nobody waits on them forever;
 * checked at boot, by the server's periodic sweep (sweep-smoke-runs.ts) and before a cancel, never
 * by a read. With an embedded database only this process runs
 * smoke runs; with a shared Postgres another process may be running one, so only runs without
 * progress for longer than the longest per-task timeout are touched.
 */
export async function markInterruptedSmokeRuns(db: Db, now = new Date()): Promise<number> {
  // (On PGlite, 30 s of grace covers a run this process is creating right now.)
  const cutoff = new Date(now.getTime() - (db.kind === "pglite" ? 30_000 : 11 * 60_000));
  const stale = await db.prisma.smokeRun.findMany({
    where: {
      status: { in: ["queued", "running"] },
      startedAt: { lt: cutoff },
      NOT: { results: { some: { createdAt: { gte: cutoff } } } },
    },
    select: { id: true },
  });
  const ids = stale.map((r) => r.id).filter((id) => !running.has(id));
  if (!ids.length) return 0;
  const { count } = await db.prisma.smokeRun.updateMany({
    where: { id: { in: ids }, status: { in: ["queued", "running"] } },
    data: { status: "error", error: "interrupted: Offload stopped during the run", finishedAt: now },
  });
  return count;
}
