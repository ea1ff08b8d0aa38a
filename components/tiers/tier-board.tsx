"use client";
// The tier board: one column per lane, task types as cards. Drag a card (mouse, touch, or keyboard:
// focus it, Space to lift, arrows to pick a column, Space to drop, Escape to cancel) to change its
// lane at once; the card moves before the server answers and moves back, with an error, if the
// server refuses. While dragging, the card shows what the move would change in daily cost.
// Above the board, a tray of recurring turns without a rule (fingerprint-tray.tsx): drop a chip on a
// task type card (or lift it with Space, pick a card with the arrows, Space) to assign that
// fingerprint to the task type; the audit below shows it with Undo.
import { Suspense, useMemo, useState } from "react";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import { useTRPC } from "@/trpc/react";
import { Card, LoadingBlock } from "@/components/ui";
import { LANES, LANE_LABEL, LANE_SERVED_BY, LANE_TIER, isLane, type Lane } from "@/server/core/lanes";
import { formatCount, formatMicroUsd } from "@/server/core/money";
import type { RouterOutputs } from "@/server/api/root";
import { AgentPins } from "./agent-pins";
import { TierAudit } from "./tier-audit";
import { ModelMappings } from "./model-mappings";
import { ChipBody, FingerprintTray, isChipData, type ChipData } from "./fingerprint-tray";
import { TRAY_INPUT } from "@/components/turns/turns-inputs";

type BoardData = RouterOutputs["tiers"]["board"];
type BoardTaskType = BoardData["taskTypes"][number];
type Recurring = RouterOutputs["turns"]["recurring"];

/** A task type card as a drop target for a recurring turn's chip. */
const CARD_PREFIX = "type:";
const cardTarget = (id: string) => `${CARD_PREFIX}${id}`;
const taskTypeOfTarget = (id: string | number | undefined) =>
  id !== undefined && String(id).startsWith(CARD_PREFIX) ? String(id).slice(CARD_PREFIX.length) : null;

/**
 * A task type card is dropped on a lane, as before (the cards are no targets for it); a chip on a task
 * type card: under the pointer, or for the keyboard the card its rectangle covers most.
 */
const boardCollisions: CollisionDetection = (args) => {
  const chip = isChipData(args.active.data.current);
  const droppableContainers = args.droppableContainers.filter((c) => (taskTypeOfTarget(c.id) !== null) === chip);
  if (!chip) return rectIntersection({ ...args, droppableContainers });
  return args.pointerCoordinates
    ? pointerWithin({ ...args, droppableContainers })
    : rectIntersection({ ...args, droppableContainers });
};

/**
 * For a chip, arrow keys step through the task type cards: Down and Up to the next or previous card
 * (on to the next lane), Right and Left to the first card of the next or previous lane.
 */
function chipKeyboardCoordinates(
  event: KeyboardEvent,
  context: Parameters<KeyboardCoordinateGetter>[1]["context"],
  lanes: readonly (readonly string[])[],
): { x: number; y: number } | undefined {
  const down = event.code === "ArrowDown";
  const up = event.code === "ArrowUp";
  const right = event.code === "ArrowRight";
  const left = event.code === "ArrowLeft";
  if (!down && !up && !right && !left) return undefined;
  event.preventDefault();
  const order = lanes.flat();
  if (order.length === 0) return undefined;
  const current = taskTypeOfTarget(context.over?.id);
  const index = current ? order.indexOf(current) : -1;
  let next: string;
  if (down || up) {
    next = order[index < 0 ? 0 : Math.min(order.length - 1, Math.max(0, index + (down ? 1 : -1)))]!;
  } else {
    const laneIndex = index < 0 ? -1 : lanes.findIndex((l) => l.includes(current!));
    const nonEmpty = lanes.map((l, i) => (l.length ? i : -1)).filter((i) => i >= 0);
    const target = right
      ? (nonEmpty.find((i) => i > laneIndex) ?? nonEmpty.at(-1)!)
      : ([...nonEmpty].reverse().find((i) => i < laneIndex) ?? nonEmpty[0]!);
    next = lanes[target]![0]!;
  }
  const rect = context.droppableRects.get(cardTarget(next));
  if (!rect) return undefined;
  return { x: rect.left + 12, y: rect.top + 12 };
}

/** Arrow keys jump between lane columns instead of nudging the card by pixels. */
const laneKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const forward = event.code === "ArrowRight" || event.code === "ArrowDown";
  const backward = event.code === "ArrowLeft" || event.code === "ArrowUp";
  if (!forward && !backward) return undefined;
  event.preventDefault();
  const activeLane = context.active?.data.current?.lane as Lane | undefined;
  const currentLane = (context.over?.id as Lane | undefined) ?? activeLane;
  const index = currentLane ? LANES.indexOf(currentLane) : 0;
  const next = LANES[Math.min(LANES.length - 1, Math.max(0, index + (forward ? 1 : -1)))]!;
  const rect = context.droppableRects.get(next);
  if (!rect) return undefined;
  return { x: rect.left + rect.width / 2, y: rect.top + Math.min(rect.height / 2, 80) };
};

function changeText(card: BoardTaskType, to: Lane): { text: string; tone: "up" | "down" | "same" } {
  if (to === card.lane) return { text: "no change", tone: "same" };
  const change = BigInt(card.laneCost[to].costPerDayMicroUsd) - card.usage.costPerDayMicroUsd;
  if (change === 0n) return { text: `${LANE_LABEL[to]}: no change in daily cost`, tone: "same" };
  const sign = change > 0n ? "+" : "−";
  const abs = change > 0n ? change : -change;
  return {
    text: `${LANE_LABEL[to]}: ${sign}${formatMicroUsd(abs)}/day (${card.laneCost[to].basis})`,
    tone: change > 0n ? "up" : "down",
  };
}

function CardBody({ card, dragging, overLane }: { card: BoardTaskType; dragging?: boolean; overLane?: Lane | null }) {
  const saved = card.savedPerDayMicroUsd;
  const estimate = overLane ? changeText(card, overLane) : null;
  return (
    <>
      <div className="flex items-start justify-between gap-2">
        <div className="text-sm font-medium">{card.name}</div>
        <div className="shrink-0 text-xs tabular-nums text-zinc-500">
          {formatCount(Math.round(card.usage.turnsPerDay))}/day
        </div>
      </div>
      <div className="mt-1 text-xs text-zinc-500">{card.reason}</div>
      <div className="mt-2 text-xs tabular-nums">
        {card.usage.turnsPerDay === 0 ? (
          <span className="text-zinc-500">no turns in the last 7 days</span>
        ) : (
          <>
            <span>{formatMicroUsd(card.usage.costPerDayMicroUsd)}/day</span>
            {saved > 0n ? (
              <span className="text-green-700 dark:text-green-400"> · saves {formatMicroUsd(saved)}/day</span>
            ) : null}
          </>
        )}
      </div>
      {dragging && estimate ? (
        <div
          data-testid="move-estimate"
          className={`mt-2 rounded px-2 py-1 text-xs font-medium ${estimate.tone === "up" ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300" : estimate.tone === "down" ? "bg-green-50 text-green-700 dark:bg-green-950 dark:text-green-300" : "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300"}`}
        >
          {estimate.text}
        </div>
      ) : null}
    </>
  );
}

function DraggableCard({ card, pending, chip }: { card: BoardTaskType; pending: boolean; chip: ChipData | null }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: card.id, data: { lane: card.lane } });
  const drop = useDroppable({ id: cardTarget(card.id), data: { taskTypeId: card.id } });
  const chipOver = chip !== null && drop.isOver;
  return (
    <li
      ref={(node) => {
        setNodeRef(node);
        drop.setNodeRef(node);
      }}
      {...attributes}
      {...listeners}
      data-task-type={card.id}
      aria-roledescription="draggable task type"
      aria-describedby="tier-board-help"
      className={`cursor-grab touch-none rounded-lg border border-zinc-200 bg-white p-3 shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-blue-500 dark:border-zinc-700 dark:bg-zinc-900 ${isDragging ? "opacity-40" : ""} ${pending ? "animate-pulse" : ""} ${chipOver ? "bg-blue-50 ring-2 ring-blue-500 dark:bg-blue-950" : chip ? "ring-1 ring-blue-200 dark:ring-blue-900" : ""}`}
    >
      <CardBody card={card} />
      {chipOver ? (
        <div
          data-testid="assign-estimate"
          className="mt-2 rounded bg-blue-100 px-2 py-1 text-xs font-medium text-blue-800 dark:bg-blue-900 dark:text-blue-100"
        >
          Drop: its turns route as {card.name} ({LANE_LABEL[card.lane]})
        </div>
      ) : null}
    </li>
  );
}

function LaneColumn({
  lane,
  cards,
  pendingId,
  chip,
}: {
  lane: Lane;
  cards: BoardTaskType[];
  pendingId: string | null;
  chip: ChipData | null;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: lane });
  const turns = cards.reduce((n, c) => n + c.usage.turnsPerDay, 0);
  const cost = cards.reduce((n, c) => n + c.usage.costPerDayMicroUsd, 0n);
  return (
    <section
      ref={setNodeRef}
      aria-label={LANE_LABEL[lane]}
      data-lane={lane}
      className={`min-h-40 rounded-lg p-3 transition-colors ${isOver ? "bg-blue-100 ring-2 ring-blue-400 dark:bg-blue-950" : "bg-zinc-100 dark:bg-zinc-900/60"}`}
    >
      <h2 className="font-semibold">
        Tier {LANE_TIER[lane]} · {LANE_LABEL[lane]}
      </h2>
      <p className="mb-3 text-xs text-zinc-500">
        {LANE_SERVED_BY[lane]} · {formatCount(Math.round(turns))} turns/day · {formatMicroUsd(cost)}/day
      </p>
      <ul className="space-y-2">
        {cards.length === 0 ? (
          <li className="text-sm text-zinc-500">No task types in this lane. Drop one here.</li>
        ) : null}
        {cards.map((card) => (
          <DraggableCard key={card.id} card={card} pending={pendingId === card.id} chip={chip} />
        ))}
      </ul>
    </section>
  );
}

export function TierBoard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const boardKey = trpc.tiers.board.queryKey();
  const { data } = useSuspenseQuery(trpc.tiers.board.queryOptions());
  const [activeId, setActiveId] = useState<string | null>(null);
  const [activeChip, setActiveChip] = useState<ChipData | null>(null);
  const [overLane, setOverLane] = useState<Lane | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const move = useMutation(
    trpc.tiers.moveTaskType.mutationOptions({
      onMutate: async (input) => {
        setError(null);
        await queryClient.cancelQueries({ queryKey: boardKey });
        const previous = queryClient.getQueryData<BoardData>(boardKey);
        if (previous) {
          queryClient.setQueryData<BoardData>(boardKey, {
            ...previous,
            taskTypes: previous.taskTypes.map((t) => (t.id === input.id ? { ...t, lane: input.lane } : t)),
          });
        }
        return { previous };
      },
      onError: (err, input, context) => {
        if (context?.previous) queryClient.setQueryData(boardKey, context.previous);
        const name = data.taskTypes.find((t) => t.id === input.id)?.name ?? input.id;
        setError(`Could not move ${name} to ${LANE_LABEL[input.lane]}: ${err.message}. It is back where it was.`);
      },
      onSuccess: (change, input) => {
        const name = data.taskTypes.find((t) => t.id === input.id)?.name ?? input.id;
        if (change) setDone(`${name} moved to ${LANE_LABEL[input.lane]}; routing follows it now.`);
        setNote("");
      },
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: boardKey });
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
      },
    }),
  );

  const byId = useMemo(() => new Map(data.taskTypes.map((t) => [t.id, t])), [data.taskTypes]);
  const trayKey = trpc.turns.recurring.queryKey(TRAY_INPUT);
  const assign = useMutation(
    trpc.turns.assignFingerprint.mutationOptions({
      onMutate: async (input) => {
        setError(null);
        // The chip leaves the tray at once, and comes back with an error if the server refuses.
        await queryClient.cancelQueries({ queryKey: trayKey });
        const previous = queryClient.getQueryData<Recurring>(trayKey);
        if (previous && input.taskTypeId) {
          const rule = { taskTypeId: input.taskTypeId, assignedBy: null, assignedAt: null };
          queryClient.setQueryData<Recurring>(trayKey, {
            ...previous,
            fingerprints: previous.fingerprints.map((f) => (f.id === input.id ? { ...f, rule } : f)),
          });
        }
        return { previous };
      },
      onError: (err, input, context) => {
        if (context?.previous) queryClient.setQueryData(trayKey, context.previous);
        const name = byId.get(input.taskTypeId ?? "")?.name ?? input.taskTypeId;
        setError(`Could not assign that recurring turn to ${name}: ${err.message}. It is back in the tray.`);
      },
      onSuccess: (change, input) => {
        const type = byId.get(input.taskTypeId ?? "");
        if (change && type)
          setDone(
            `${change.subjectName} now routes as ${type.name} (${LANE_LABEL[type.lane]}); undo it in Recent changes.`,
          );
        setNote("");
      },
      onSettled: () => {
        void queryClient.invalidateQueries(trpc.turns.pathFilter());
        void queryClient.invalidateQueries({ queryKey: trpc.tiers.changes.queryKey() });
      },
    }),
  );

  // The cards in the order the board shows them, lane by lane: where a chip's arrow keys step.
  const cardLanes = useMemo(
    () => LANES.map((lane) => data.taskTypes.filter((t) => t.lane === lane).map((t) => t.id)),
    [data.taskTypes],
  );
  const keyboardCoordinates: KeyboardCoordinateGetter = (event, args) =>
    isChipData(args.context.active?.data.current)
      ? chipKeyboardCoordinates(event, args.context, cardLanes)
      : laneKeyboardCoordinates(event, args);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: keyboardCoordinates }),
  );
  const active = activeId ? byId.get(activeId) : undefined;

  const nameOf = (id: string | number) => byId.get(String(id))?.name ?? String(id);
  const laneOf = (id: string | number | undefined) =>
    id !== undefined && isLane(String(id)) ? LANE_LABEL[String(id) as Lane] : "no lane";
  const chipOf = (a: { data: { current?: unknown } }) => (isChipData(a.data.current) ? a.data.current : null);
  const targetName = (id: string | number | undefined) => byId.get(taskTypeOfTarget(id) ?? "")?.name ?? null;
  const announcements: Announcements = {
    onDragStart: ({ active: a }) => {
      const chip = chipOf(a);
      return chip
        ? `Picked up the recurring turn “${chip.template}”. Use the arrow keys to choose a task type, Space to drop, Escape to cancel.`
        : `Picked up ${nameOf(a.id)}. Use the arrow keys to choose a lane, Space to drop, Escape to cancel.`;
    },
    onDragOver: ({ active: a, over }) => {
      if (chipOf(a)) {
        const target = targetName(over?.id);
        return target ? `Over ${target}: its turns would route as ${target}.` : "Not over a task type.";
      }
      const card = byId.get(String(a.id));
      return over && card && isLane(String(over.id))
        ? `Over ${laneOf(over.id)}. ${changeText(card, String(over.id) as Lane).text}.`
        : `${nameOf(a.id)} is not over a lane.`;
    },
    onDragEnd: ({ active: a, over }) => {
      if (chipOf(a)) {
        const target = targetName(over?.id);
        return target ? `Assigned to ${target}.` : "The recurring turn was not assigned.";
      }
      return over ? `${nameOf(a.id)} dropped in ${laneOf(over.id)}.` : `${nameOf(a.id)} was not moved.`;
    },
    onDragCancel: ({ active: a }) =>
      chipOf(a) ? "Assigning the recurring turn was cancelled." : `Moving ${nameOf(a.id)} was cancelled.`,
  };

  const onDragStart = (e: DragStartEvent) => {
    const chip = chipOf(e.active);
    setActiveChip(chip);
    setActiveId(chip ? null : String(e.active.id));
    setOverLane(null);
    setDone(null);
  };
  const onDragOver = (e: DragOverEvent) =>
    setOverLane(e.over && isLane(String(e.over.id)) ? (String(e.over.id) as Lane) : null);
  const onDragEnd = (e: DragEndEvent) => {
    setActiveId(null);
    setActiveChip(null);
    setOverLane(null);
    const chip = chipOf(e.active);
    if (chip) {
      const taskTypeId = taskTypeOfTarget(e.over?.id);
      if (!taskTypeId || !byId.has(taskTypeId)) return;
      assign.mutate({ id: chip.id, taskTypeId, from: null, ...(note.trim() ? { note: note.trim() } : {}) });
      return;
    }
    const card = byId.get(String(e.active.id));
    const to = e.over ? String(e.over.id) : null;
    if (!card || !to || !isLane(to) || to === card.lane) return;
    move.mutate({ id: card.id, lane: to, from: card.lane, ...(note.trim() ? { note: note.trim() } : {}) });
  };

  return (
    <div className="space-y-6">
      <p id="tier-board-help" className="sr-only">
        To move a task type with the keyboard, focus it, press Space, use the arrow keys to choose a lane and press
        Space again; Escape cancels.
      </p>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block text-xs text-zinc-500">Note for the audit (optional, used with the next change)</span>
          <input
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
            placeholder="why this move"
            className="mt-1 w-72 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <p className="text-xs text-zinc-500">
          Figures are per day over the last {data.windowDays} days. Drag a card, or focus it and press Space; drop a
          recurring turn on a card to assign it.
        </p>
      </div>
      {error ? (
        <div
          role="alert"
          className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {error}
        </div>
      ) : null}
      {done ? (
        <div
          role="status"
          className="rounded border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-800 dark:border-green-800 dark:bg-green-950 dark:text-green-200"
        >
          {done}
        </div>
      ) : null}
      <DndContext
        sensors={sensors}
        accessibility={{ announcements }}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setActiveId(null);
          setActiveChip(null);
          setOverLane(null);
        }}
        collisionDetection={boardCollisions}
      >
        <FingerprintTray pendingId={assign.isPending ? (assign.variables?.id ?? null) : null} />
        <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
          {LANES.map((lane) => (
            <LaneColumn
              key={lane}
              lane={lane}
              cards={data.taskTypes.filter((t) => t.lane === lane)}
              pendingId={move.isPending ? (move.variables?.id ?? null) : null}
              chip={activeChip}
            />
          ))}
        </div>
        <DragOverlay dropAnimation={null}>
          {active ? (
            <Card className="w-72 cursor-grabbing p-3 shadow-lg ring-2 ring-blue-400">
              <CardBody card={active} dragging overLane={overLane} />
            </Card>
          ) : activeChip ? (
            <div className="flex max-w-[28rem] cursor-grabbing items-center gap-2 rounded-full border border-blue-400 bg-white py-1 pr-2.5 pl-3 shadow-lg ring-2 ring-blue-400 dark:bg-zinc-900">
              <ChipBody chip={activeChip} />
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <AgentPins agents={data.agents} />
          <Suspense fallback={<LoadingBlock label="the model mappings" />}>
            <ModelMappings agents={data.agents} taskTypes={data.taskTypes} />
          </Suspense>
        </div>
        <TierAudit />
      </div>
    </div>
  );
}
