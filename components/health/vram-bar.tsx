// One loaded model's memory as a bar: the share on the GPU (green) and on the CPU (amber), against
// the GPU's memory (the gpuVramGb setting).
import type { LoadedModel } from "@/server/core/health/judge-health";

export const GB = 1024 ** 3;

export function VramBar({ model, vramGb }: { model: LoadedModel; vramGb: number }) {
  const gpuShare = model.size > 0 ? model.sizeVram / model.size : 1;
  return (
    <li className="py-2 text-sm" data-loaded-model={model.name}>
      <div className="flex flex-wrap justify-between gap-x-2">
        <span className="font-medium">{model.name}</span>
        <span className="tabular-nums text-zinc-500">
          {(model.size / GB).toFixed(1)} GB · {Math.round(gpuShare * 100)}% on the GPU
          {model.contextLength ? ` · context ${model.contextLength.toLocaleString("en-US")}` : ""}
          {model.expiresAt ? ` · unloads ${new Date(model.expiresAt).toLocaleTimeString()}` : ""}
        </span>
      </div>
      <div
        className="mt-1 flex h-3 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
        role="img"
        aria-label={`${Math.round(gpuShare * 100)}% on the GPU, ${100 - Math.round(gpuShare * 100)}% on the CPU`}
      >
        <div className="bg-green-600" style={{ width: `${Math.min(100, (model.sizeVram / (vramGb * GB)) * 100)}%` }} />
        <div
          className="bg-amber-500"
          style={{ width: `${Math.min(100, ((model.size - model.sizeVram) / (vramGb * GB)) * 100)}%` }}
        />
      </div>
      <div className="mt-0.5 text-xs text-zinc-500">
        green: GPU memory ({(model.sizeVram / GB).toFixed(1)} of {vramGb} GB)
        {model.size > model.sizeVram
          ? `; amber: on the CPU (${((model.size - model.sizeVram) / GB).toFixed(1)} GB)`
          : ""}
      </div>
    </li>
  );
}
