// Operator model mappings (routing/map-model.ts): serve another Claude model than the one an agent
// asks for, for the fleet, one agent, one task type or one agent's task type. They live in the
// `modelMappings` setting; every change is one transaction with its TierChange audit row (subject
// model_mapping), takes effect for the gateway at once in this process, and can be undone through
// the same audited path. A mapping's subject is its scope, written `from|agent|taskType` (`*`: any);
// its value is the model served, or `none`.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { readPriceMap } from "@/server/db/prices";
import { readSettings, settingsSchema } from "@/server/db/settings";
import { OffloadError } from "@/server/core/errors";
import type { ModelMapping } from "@/server/core/routing/map-model";
import { resolveModelPrice } from "@/server/core/cost/price-turn";
import type { PricePerMTok } from "@/server/core/cost/price-usage";
import { priceKeyOf } from "@/server/core/cost/suggest-price";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import type { TierChangeRow } from "@/server/tiers/manage-tiers";
import { modelNameSchema } from "./manage-model-prices";

/** The audit value of a scope without a mapping. */
export const NO_MAPPING = "none";
const SETTING_KEY = "modelMappings";
const ANY = "*";

const optionalId = (what: string) =>
  z
    .string()
    .trim()
    .max(100, `${what} is at most 100 characters`)
    .nullable()
    .optional()
    .transform((v) => (v ? v : null));

const note = z.string().trim().max(500, "a note is at most 500 characters").optional();

export const mappingScopeInput = z.object({
  /** The model the agent asks for, exactly as it sends it. */
  from: modelNameSchema,
  /** Only this agent's turns (null: every agent). */
  agentId: optionalId("an agent id"),
  /** Only turns of this task type (null: every task type). */
  taskTypeId: optionalId("a task type id"),
});

export const addModelMappingInput = mappingScopeInput.extend({
  to: modelNameSchema,
  /** The operator knows `to` has no price: its turns will be recorded unpriced. */
  confirmUnpriced: z.boolean().optional(),
  note,
});

export const removeModelMappingInput = mappingScopeInput.extend({ note });

type Scope = Pick<ModelMapping, "from" | "agentId" | "taskTypeId">;

export type ModelPriceSummary = { input: bigint; output: bigint };

export type MappingRow = ModelMapping & {
  /** The audit subject of this scope. */
  key: string;
  agentName: string | null;
  taskTypeName: string | null;
  /** Price per million tokens of the requested and the served model (null: unpriced). */
  fromPrice: ModelPriceSummary | null;
  toPrice: ModelPriceSummary | null;
};

export type ModelMappingsView = {
  mappings: MappingRow[];
  /** Models with a price, for the form (dated names are priced by their base). */
  pricedModels: { model: string; price: ModelPriceSummary }[];
  /** The Claude models the fleet's agents ask for by default. */
  fleetModels: string[];
};

export function mappingKey(scope: Scope): string {
  return [scope.from, scope.agentId ?? ANY, scope.taskTypeId ?? ANY].join("|");
}

export function parseMappingKey(key: string): Scope | null {
  const parts = key.split("|");
  if (parts.length !== 3 || !parts[0]) return null;
  return {
    from: parts[0],
    agentId: parts[1] === ANY ? null : parts[1]!,
    taskTypeId: parts[2] === ANY ? null : parts[2]!,
  };
}

function sameScope(a: Scope, b: Scope): boolean {
  return a.from === b.from && a.agentId === b.agentId && a.taskTypeId === b.taskTypeId;
}

/** A scope for people: "claude-opus-4-6 for every agent", "... for worker-1, code review only". */
export function describeScope(scope: Scope, names: { agent?: string | null; taskType?: string | null } = {}): string {
  const who = scope.agentId ? (names.agent ?? scope.agentId) : "every agent";
  const what = scope.taskTypeId ? `, ${names.taskType ?? scope.taskTypeId} only` : "";
  return `${scope.from} for ${who}${what}`;
}

const summary = (p: PricePerMTok | null): ModelPriceSummary | null => (p ? { input: p.input, output: p.output } : null);

export async function listModelMappings(db: Db): Promise<ModelMappingsView> {
  const [settings, prices, agents, taskTypes] = await Promise.all([
    readSettings(db),
    readPriceMap(db),
    db.prisma.agent.findMany({ select: { id: true, name: true, claudeModel: true, removedAt: true } }),
    db.prisma.taskType.findMany({ select: { id: true, name: true } }),
  ]);
  const agentNames = new Map(agents.map((a) => [a.id, a.name]));
  const typeNames = new Map(taskTypes.map((t) => [t.id, t.name]));
  return {
    mappings: settings.modelMappings.map((m) => ({
      ...m,
      key: mappingKey(m),
      agentName: m.agentId ? (agentNames.get(m.agentId) ?? null) : null,
      taskTypeName: m.taskTypeId ? (typeNames.get(m.taskTypeId) ?? null) : null,
      fromPrice: summary(resolveModelPrice(prices, m.from)),
      toPrice: summary(resolveModelPrice(prices, m.to)),
    })),
    pricedModels: [...prices]
      .filter(([model]) => priceKeyOf(model) === model)
      .map(([model, price]) => ({ model, price: summary(price)! }))
      .sort((a, b) => a.model.localeCompare(b.model)),
    fleetModels: [...new Set(agents.filter((a) => !a.removedAt).map((a) => a.claudeModel))].sort(),
  };
}

export async function addModelMapping(
  db: Db,
  raw: z.input<typeof addModelMappingInput>,
  actor: string,
): Promise<TierChangeRow> {
  const input = addModelMappingInput.parse(raw);
  const scope = { from: input.from, agentId: input.agentId, taskTypeId: input.taskTypeId };
  if (input.to === input.from)
    throw new OffloadError("BAD_REQUEST", `to: must differ from the requested model (${input.from})`, "to");
  if (!/^claude-/i.test(input.to))
    throw new OffloadError(
      "BAD_REQUEST",
      `to: the Claude lane serves Claude models (claude-...); ${input.to} is not one`,
      "to",
    );
  const prices = await readPriceMap(db);
  if (!resolveModelPrice(prices, input.to) && !input.confirmUnpriced)
    throw new OffloadError(
      "BAD_REQUEST",
      `to: Offload has no price for ${input.to}; add its price first, or confirm that the mapped turns will be recorded unpriced`,
      "to",
    );
  return changeMapping(db, scope, { kind: "add", to: input.to }, input.note, actor);
}

export async function removeModelMapping(
  db: Db,
  raw: z.input<typeof removeModelMappingInput>,
  actor: string,
): Promise<TierChangeRow> {
  const input = removeModelMappingInput.parse(raw);
  return changeMapping(
    db,
    { from: input.from, agentId: input.agentId, taskTypeId: input.taskTypeId },
    { kind: "remove" },
    input.note,
    actor,
  );
}

/** Reverts a model_mapping change, if its scope still maps to what the change set (tiers/manage-tiers' undo). */
export async function undoModelMappingChange(
  db: Db,
  change: { subjectId: string; fromValue: string; toValue: string },
  note: string,
  actor: string,
): Promise<TierChangeRow> {
  const scope = parseMappingKey(change.subjectId);
  if (!scope) throw new OffloadError("CONFLICT", `"${change.subjectId}" is not a model mapping`, "changeId");
  return changeMapping(
    db,
    scope,
    { kind: "undo", expected: change.toValue, to: change.fromValue === NO_MAPPING ? null : change.fromValue },
    note,
    actor,
  );
}

type MappingChange =
  { kind: "add"; to: string } | { kind: "remove" } | { kind: "undo"; expected: string; to: string | null };

async function changeMapping(
  db: Db,
  scope: Scope,
  change: MappingChange,
  note: string | undefined,
  actor: string,
): Promise<TierChangeRow> {
  const row = await db.prisma.$transaction(async (tx) => {
    const addsTo = change.kind === "remove" ? null : change.to;
    // The agent and task type a new mapping names must exist (an undo that re-adds one too).
    let agentName: string | null = null;
    let typeName: string | null = null;
    if (scope.agentId) {
      const agent = await tx.agent.findUnique({
        where: { id: scope.agentId },
        select: { name: true, removedAt: true },
      });
      if (addsTo && (!agent || agent.removedAt))
        throw new OffloadError("NOT_FOUND", `agentId: no agent "${scope.agentId}"`, "agentId");
      agentName = agent?.name ?? null;
    }
    if (scope.taskTypeId) {
      const type = await tx.taskType.findUnique({ where: { id: scope.taskTypeId }, select: { name: true } });
      if (addsTo && !type)
        throw new OffloadError("NOT_FOUND", `taskTypeId: no task type "${scope.taskTypeId}"`, "taskTypeId");
      typeName = type?.name ?? null;
    }

    // One writer at a time: the row is created if missing, then locked until the end of the transaction.
    await tx.$executeRawUnsafe(
      `insert into "Setting" ("key", "value", "updatedAt") values ($1, '[]'::jsonb, now()) on conflict ("key") do nothing`,
      SETTING_KEY,
    );
    await tx.$queryRawUnsafe(`select 1 as locked from "Setting" where "key" = $1 for update`, SETTING_KEY);
    const stored = await tx.setting.findUniqueOrThrow({ where: { key: SETTING_KEY } });
    const parsed = settingsSchema.shape.modelMappings.safeParse(stored.value);
    const list: ModelMapping[] = parsed.success ? parsed.data : [];
    const current = list.find((m) => sameScope(m, scope)) ?? null;
    const currentValue = current?.to ?? NO_MAPPING;
    const where = describeScope(scope, { agent: agentName, taskType: typeName });

    if (change.kind === "add" && current)
      throw new OffloadError(
        "CONFLICT",
        `from: ${where} is mapped already (to ${current.to}); remove that mapping first`,
        "from",
      );
    if (change.kind === "remove" && !current)
      throw new OffloadError("NOT_FOUND", `from: no mapping of ${where}`, "from");
    if (change.kind === "undo" && currentValue !== change.expected)
      throw new OffloadError(
        "CONFLICT",
        `the mapping of ${where} changed since (it is ${currentValue === NO_MAPPING ? "not mapped" : `mapped to ${currentValue}`}); nothing undone`,
        "changeId",
      );
    if (currentValue === (addsTo ?? NO_MAPPING)) return null;
    if (list.length >= 200 && addsTo && !current)
      throw new OffloadError("BAD_REQUEST", "from: at most 200 model mappings", "from");

    const next = addsTo
      ? current
        ? list.map((m) => (m === current ? { ...m, to: addsTo } : m))
        : [...list, { ...scope, to: addsTo }]
      : list.filter((m) => m !== current);
    await tx.setting.update({ where: { key: SETTING_KEY }, data: { value: next } });
    const audit = await tx.tierChange.create({
      data: {
        subjectType: "model_mapping",
        subjectId: mappingKey(scope),
        fromValue: currentValue,
        toValue: addsTo ?? NO_MAPPING,
        actor,
        note: note || null,
      },
    });
    return { ...audit, subjectName: where };
  });
  invalidateGatewayState();
  if (!row) throw new OffloadError("CONFLICT", `nothing to change for ${describeScope(scope)}`, "from");
  return row;
}
