"use client";
// The tray above the tier board: the top recurring turns (fingerprints) without an operator's rule, as
// chips to drag onto a task type card (mouse, touch, or keyboard: focus a chip, Space, arrows to pick
// a card, Space). The drop itself is handled by the board's DndContext (tier-board.tsx).
import Link from "next/link";
import { useDraggable } from "@dnd-kit/core";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { formatCount } from "@/server/core/money";
import { FingerprintTemplate } from "@/components/turns/fingerprint-template";
import { TRAY_CHIPS, TRAY_INPUT } from "@/components/turns/turns-inputs";

/** What a dragged chip carries (dnd-kit's `data`). */
export type ChipData = { kind: "fingerprint"; id: string; template: string; turnsPerDay: number };

export const CHIP_PREFIX = "fp:";

export function isChipData(data: unknown): data is ChipData {
  return typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === "fingerprint";
}

function perDay(n: number): string {
  return n >= 10 ? formatCount(Math.round(n)) : n.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

export function ChipBody({ chip }: { chip: ChipData }) {
  return (
    <>
      <FingerprintTemplate template={chip.template} className="min-w-0 truncate text-xs" />
      <span className="shrink-0 text-[11px] tabular-nums text-zinc-500">{perDay(chip.turnsPerDay)}/day</span>
    </>
  );
}

function DraggableChip({ chip, pending }: { chip: ChipData; pending: boolean }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: `${CHIP_PREFIX}${chip.id}`,
    data: chip,
  });
  return (
    <li
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      data-fingerprint-chip={chip.id}
      title={chip.template}
      aria-roledescription="draggable recurring turn"
      aria-describedby="fingerprint-tray-help"
      className={`flex max-w-[28rem] cursor-grab touch-none items-center gap-2 rounded-full border border-zinc-300 bg-white py-1 pr-2.5 pl-3 shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-blue-500 dark:border-zinc-700 dark:bg-zinc-900 ${isDragging ? "opacity-40" : ""} ${pending ? "animate-pulse" : ""}`}
    >
      <ChipBody chip={chip} />
    </li>
  );
}

export function FingerprintTray({ pendingId }: { pendingId: string | null }) {
  const trpc = useTRPC();
  // useQuery: the board stays usable if the recurring turns cannot be read.
  const recurring = useQuery(trpc.turns.recurring.queryOptions(TRAY_INPUT));
  const data = recurring.data;
  const unruled = data ? data.fingerprints.filter((f) => f.rule === null) : [];
  const chips: ChipData[] = unruled
    .slice(0, TRAY_CHIPS)
    .map((f) => ({ kind: "fingerprint", id: f.id, template: f.template, turnsPerDay: f.turnsPerDay }));
  return (
    <section
      aria-labelledby="fingerprint-tray-title"
      className="rounded-lg border border-dashed border-zinc-300 px-3 py-2.5 dark:border-zinc-700"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="fingerprint-tray-title" className="text-sm font-semibold">
          Recurring turns without a rule
        </h2>
        <p className="text-xs text-zinc-500">
          Drop one on a task type card and every matching turn routes as that task type.{" "}
          <Link href="/turns" className="text-blue-700 hover:underline dark:text-blue-400">
            All recurring turns
          </Link>
        </p>
      </div>
      <p id="fingerprint-tray-help" className="sr-only">
        To assign a recurring turn with the keyboard, focus it, press Space, use the arrow keys to choose a task type
        card and press Space again; Escape cancels.
      </p>
      {recurring.isError ? (
        <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
          Could not load the recurring turns: {recurring.error.message}
        </p>
      ) : !data ? (
        <p role="status" className="mt-1 text-xs text-zinc-500">
          Reading the recurring turns…
        </p>
      ) : chips.length === 0 ? (
        <p className="mt-1 text-xs text-zinc-500">
          {data.fingerprints.length === 0
            ? `No recurring turns through the gateway in the last ${data.windowDays} days (UTC, today included).`
            : "Every frequent recurring turn has a rule."}
        </p>
      ) : (
        <ul aria-label="Recurring turns without a rule" className="mt-2 flex flex-wrap gap-2">
          {chips.map((chip) => (
            <DraggableChip key={chip.id} chip={chip} pending={pendingId === chip.id} />
          ))}
          {unruled.length > chips.length ? (
            <li className="self-center text-xs text-zinc-500">+{unruled.length - chips.length} more</li>
          ) : null}
        </ul>
      )}
    </section>
  );
}
