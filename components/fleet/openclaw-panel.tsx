"use client";
// The Fleet page's OpenClaw panel, folded by default so the fleet stays the page's subject: import an
// OpenClaw fleet (openclaw.json, previewed first) and connect its agents to Offload, or disconnect them.
import { OpenClawImport } from "./openclaw-import";
import { OpenClawConnect } from "./openclaw-connect";

export function OpenClawPanel() {
  return (
    <details
      data-testid="openclaw-panel"
      className="group rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <summary className="flex cursor-pointer list-none items-baseline justify-between gap-2 px-4 py-3 [&::-webkit-details-marker]:hidden">
        <span>
          <span aria-hidden className="mr-2 inline-block text-zinc-400 transition-transform group-open:rotate-90">
            ▸
          </span>
          <span className="font-semibold">OpenClaw</span>
        </span>
        <span className="text-xs text-zinc-500">Import an OpenClaw fleet, connect its agents to Offload</span>
      </summary>
      <div className="space-y-6 border-t border-zinc-100 px-4 py-4 dark:border-zinc-800">
        <OpenClawImport />
        <div className="border-t border-zinc-100 pt-4 dark:border-zinc-800">
          <OpenClawConnect />
        </div>
      </div>
    </details>
  );
}
