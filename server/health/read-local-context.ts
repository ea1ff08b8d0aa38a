// The Health page's "Local context": what the configured context costs each local model in GPU
// memory. The architecture comes from Ollama's /api/show (show-model.ts, cached), the weights' size
// and what a model holds on the GPU now from the newest health sample in which Ollama answered
// (/api/tags, /api/ps), the GPU's memory from nvidia-smi in the newest sample or, without it, from
// the gpuVramGb setting. Nothing here fails the page: what cannot be known says why.
import type { Db } from "@/server/db/client";
import { readSettings } from "@/server/db/settings";
import { configuredOllamaHosts, rankLocalHosts } from "./ollama-hosts";
import { readOllamaHealth } from "./read-ollama-health";
import { estimateVram, type GpuMemory, type VramEstimate } from "@/server/core/health/estimate-vram";
import type { InstalledModel, LoadedModel } from "@/server/core/health/judge-health";
import type { KvCacheType } from "@/server/core/settings-defaults";
import type { GpuReading } from "./nvidia-smi";
import { showModel, type ModelCard } from "./show-model";

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** More local models than this are named, not estimated (each is one /api/show). */
const MAX_MODELS = 4;

export type GpuBudget = {
  /** nvidia-smi on this host (free memory known), or the gpuVramGb setting (total only). */
  source: "nvidia-smi" | "setting";
  names: string[];
  totalBytes: number;
  freeBytes: number | null;
};

export type LocalModelContext = {
  model: string;
  /** The defaultLocalModel setting (else an agent's own local model). */
  isDefault: boolean;
  card: ModelCard | null;
  /** Why the architecture, hence the cache size, is unknown. */
  cardProblem: string | null;
  /** The weights' size from Ollama's model list; null with the reason in weightsProblem. */
  weightsBytes: number | null;
  weightsProblem: string | null;
  /** The model as loaded now (/api/ps), or null when it is not loaded. */
  loaded: { contextLength: number | null; size: number; sizeVram: number } | null;
  /** At the configured context; null when the architecture is unknown. */
  estimate: VramEstimate | null;
  /** The GPU budget for this model: free memory plus what it holds now (freed when Ollama reloads it). */
  gpu: GpuMemory;
};

export type LocalContextView = {
  ollamaHost: string;
  contextTokens: number;
  answerReserveTokens: number;
  kvCacheType: KvCacheType;
  gpu: GpuBudget;
  /** The default local model first, then the agents' other local models (at most four in all). */
  models: LocalModelContext[];
  /** Further local models the agents use, not estimated here. */
  moreModels: string[];
};

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function gpuBudget(readings: GpuReading[] | null, gpuVramGb: number): GpuBudget {
  const usable = (readings ?? []).filter((g) => g.memoryTotalMb > 0);
  if (usable.length === 0)
    return { source: "setting", names: [], totalBytes: Math.round(gpuVramGb * GIB), freeBytes: null };
  const total = usable.reduce((s, g) => s + g.memoryTotalMb, 0) * MIB;
  const used = usable.reduce((s, g) => s + g.memoryUsedMb, 0) * MIB;
  return {
    source: "nvidia-smi",
    names: usable.map((g) => g.name),
    totalBytes: total,
    freeBytes: Math.max(0, total - used),
  };
}

export async function readLocalContext(db: Db): Promise<LocalContextView> {
  const [settings, agents, newest, answered, health] = await Promise.all([
    readSettings(db),
    db.prisma.agent.findMany({ where: { removedAt: null }, select: { localModel: true }, distinct: ["localModel"] }),
    db.prisma.healthSample.findFirst({ orderBy: { takenAt: "desc" }, select: { gpu: true } }),
    db.prisma.healthSample.findFirst({
      where: { ollamaVersion: { not: null } },
      orderBy: { takenAt: "desc" },
      select: { installedModels: true, loadedModels: true },
    }),
    readOllamaHealth(db),
  ]);
  const names = [
    ...new Set([settings.defaultLocalModel, ...agents.map((a) => a.localModel).sort()].filter((m) => m.trim())),
  ];
  const gpu = gpuBudget(Array.isArray(newest?.gpu) ? (newest.gpu as GpuReading[]) : null, settings.gpuVramGb);
  const installed = asArray<InstalledModel>(answered?.installedModels);
  const loaded = asArray<LoadedModel>(answered?.loadedModels);

  const models = await Promise.all(
    names.slice(0, MAX_MODELS).map(async (model): Promise<LocalModelContext> => {
      // What the pool's first choice for the model says of it (the hosts of a pool are alike, or should be).
      const reading = await showModel(
        model,
        rankLocalHosts({ settings, health }, model).order[0] ?? configuredOllamaHosts(settings)[0],
      );
      const inList = installed.find((m) => m.name === model);
      const isLoaded = loaded.find((m) => m.name === model);
      const weightsBytes = inList && inList.size > 0 ? inList.size : null;
      const weightsProblem =
        weightsBytes !== null
          ? null
          : !answered
            ? "unknown: Ollama has not answered a health check yet"
            : inList
              ? "unknown: Ollama's model list gives no size"
              : `unknown: ${model} is not in Ollama's model list`;
      const modelGpu: GpuMemory = {
        totalBytes: gpu.totalBytes,
        freeBytes: gpu.freeBytes,
        heldByModelBytes: gpu.freeBytes === null ? 0 : (isLoaded?.sizeVram ?? 0),
      };
      const card = reading.ok ? reading.card : null;
      return {
        model,
        isDefault: model === settings.defaultLocalModel,
        card,
        cardProblem: reading.ok ? null : reading.reason,
        weightsBytes,
        weightsProblem,
        loaded: isLoaded
          ? { contextLength: isLoaded.contextLength, size: isLoaded.size, sizeVram: isLoaded.sizeVram }
          : null,
        estimate: card
          ? estimateVram({
              shape: card.shape,
              weightsBytes,
              kvCacheType: settings.kvCacheType,
              contextTokens: settings.localContextTokens,
              gpu: modelGpu,
            })
          : null,
        gpu: modelGpu,
      };
    }),
  );
  return {
    ollamaHost: configuredOllamaHosts(settings)[0]!,
    contextTokens: settings.localContextTokens,
    answerReserveTokens: settings.localAnswerReserveTokens,
    kvCacheType: settings.kvCacheType,
    gpu,
    models,
    moreModels: names.slice(MAX_MODELS),
  };
}
