// Smoke runs as the dashboard and the CLI read them: one run with its answers, the list, the
// models worth offering, and a side-by-side comparison with the tier moves its evidence supports.
import type { Db } from "@/server/db/client";
import { env } from "@/server/process/env";
import { readSettings } from "@/server/db/settings";
import { OffloadError } from "@/server/core/errors";
import { CAPABILITIES, CAPABILITY_LABEL, SMOKE_SUITE } from "@/server/core/smoke/suite";
import {
  DEMOTION_MIN_ANSWERS,
  MARK_MEANING,
  MARK_SYMBOL,
  PROMOTION_MIN_LOWER_BOUND,
  capabilityMark,
  isFinishedRun,
  proposeTierMoves,
  summariseRun,
  type Mark,
} from "@/server/core/smoke/compare-runs";
import { parseSmokeModel } from "@/server/core/smoke/smoke-model";

// Reads never write: runs whose process died are marked interrupted by the server's periodic sweep
// (sweep-smoke-runs.ts) and at boot, so a page polling such a run sees it end within a minute or so.
export async function readSmokeRun(db: Db, id: string) {
  const run = await db.prisma.smokeRun.findUnique({
    where: { id },
    include: { results: { orderBy: [{ iteration: "asc" }, { createdAt: "asc" }] } },
  });
  if (!run) throw new OffloadError("NOT_FOUND", `no smoke run ${id}`, "id");
  return run;
}

export async function listSmokeRuns(db: Db, limit = 50) {
  return db.prisma.smokeRun.findMany({
    orderBy: { startedAt: "desc" },
    take: limit,
    include: { _count: { select: { results: true } } },
  });
}

const unique = (xs: string[]) => [...new Set(xs)];

/** What the start form offers: the configured and installed local models, the Claude models the fleet uses and has prices for. */
export async function readSmokeOptions(db: Db) {
  const [settings, answered, agents, prices] = await Promise.all([
    readSettings(db),
    db.prisma.healthSample.findFirst({
      where: { ollamaVersion: { not: null } },
      orderBy: { takenAt: "desc" },
      select: { installedModels: true },
    }),
    db.prisma.agent.findMany({ select: { localModel: true, claudeModel: true } }),
    db.prisma.modelPrice.findMany({ distinct: ["model"], select: { model: true }, orderBy: { model: "asc" } }),
  ]);
  const installed = (
    Array.isArray(answered?.installedModels) ? (answered.installedModels as { name?: unknown }[]) : []
  ).flatMap((m) => (typeof m?.name === "string" ? [m.name] : []));
  return {
    localModels: unique([settings.defaultLocalModel, ...agents.map((a) => a.localModel), ...installed]).map(
      (m) => `ollama/${m}`,
    ),
    claudeModels: unique([
      settings.defaultClaudeModel,
      ...agents.map((a) => a.claudeModel),
      ...prices.map((p) => p.model).filter((m) => /^claude/i.test(m)),
    ]).map((m) => `anthropic/${m}`),
    claudeConfigured: !!env().ANTHROPIC_API_KEY,
    tasks: SMOKE_SUITE.map((t) => ({ id: t.id, title: t.title, capability: t.capability })),
    capabilities: CAPABILITIES.map((id) => ({ id, label: CAPABILITY_LABEL[id] })),
    marks: (Object.keys(MARK_SYMBOL) as Mark[]).map((m) => ({
      mark: m,
      symbol: MARK_SYMBOL[m],
      meaning: MARK_MEANING[m],
    })),
    promotionMinLowerBound: PROMOTION_MIN_LOWER_BOUND,
    demotionMinAnswers: DEMOTION_MIN_ANSWERS,
  };
}

/**
 * Runs side by side (1 to 4), each summarised per task and per capability with its matrix marks,
 * and the tier moves the first local run's evidence supports (against the first Claude run, if any).
 */
export async function compareSmokeRuns(db: Db, ids: string[]) {
  if (ids.length === 0 || ids.length > 4) throw new OffloadError("BAD_REQUEST", "compare 1 to 4 runs", "ids");
  const found = await db.prisma.smokeRun.findMany({ where: { id: { in: ids } }, include: { results: true } });
  const missing = ids.filter((id) => !found.some((r) => r.id === id));
  if (missing.length) throw new OffloadError("NOT_FOUND", `no smoke run ${missing.join(", ")}`, "ids");
  const runs = ids
    .map((id) => found.find((r) => r.id === id)!)
    .map((run) => {
      const summary = summariseRun(run.results);
      return {
        id: run.id,
        model: run.model,
        provider: parseSmokeModel(run.model).provider,
        status: run.status,
        repeat: run.repeat,
        startedAt: run.startedAt,
        summary,
        marks: Object.fromEntries(
          Object.entries(summary.byCapability).map(([c, s]) => [c, capabilityMark(s)]),
        ) as Record<string, Mark | null>,
      };
    });
  // Evidence only from finished runs (every task answered): a cancelled or broken run shows in the
  // comparison but proposes nothing.
  const local = runs.find((r) => r.provider === "ollama" && isFinishedRun(r.status));
  const claude = runs.find((r) => r.provider === "anthropic" && isFinishedRun(r.status));
  let proposals: ReturnType<typeof proposeTierMoves> = [];
  if (local) {
    const taskTypes = await db.prisma.taskType.findMany({
      orderBy: [{ position: "asc" }, { id: "asc" }],
      select: { id: true, name: true, lane: true },
    });
    proposals = proposeTierMoves({
      local: { model: local.model, summary: local.summary },
      claude: claude ? { model: claude.model, summary: claude.summary } : null,
      taskTypes,
    });
  }
  return { runs, proposals, evidenceRunId: local?.id ?? null };
}
