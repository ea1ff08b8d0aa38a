// The operator's settings and their changes. Every change is one transaction: the stored values and
// one TierChange audit row per key that changed (subject `setting`, subjectId the key, from/to the
// JSON of the old and new values), so the audit never disagrees with what is stored. A patch that
// changes nothing writes nothing; a bad value is refused naming its field, and nothing is stored.
// Model mappings keep their own audited path (server/models/manage-model-mappings.ts). A change
// applies to the gateway's next turn (its cached state is dropped) and can be undone through the
// same audited path while the setting still has the value the change set.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Prisma } from "@/server/db/generated/client";
import {
  crossCheckSettings,
  isSettingKey,
  readSettings,
  settingsSchema,
  writeSettings,
  type SettingKey,
  type SettingsPatch,
} from "@/server/db/settings";
import { describeZodError, OffloadError } from "@/server/core/errors";
import type { Settings } from "@/server/core/settings-defaults";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";

/** Serialises settings changes (two operators saving at once); prices and migrations use other keys. */
const SETTINGS_LOCK_KEY = 0x0ff10ad5;

const note = z.string().trim().max(500, "a note is at most 500 characters").optional();

/** A partial update of the settings (any keys but modelMappings, see below), with an optional note for the audit. */
export const updateSettingsInput = settingsSchema.partial().extend({ note }).strict();
export type UpdateSettingsInput = z.input<typeof updateSettingsInput>;

export const undoSettingChangeInput = z.object({ changeId: z.string().min(1, "a change id is required") });
export const listSettingChangesInput = z
  .object({ limit: z.number().int().min(1).max(200).default(20) })
  .default({ limit: 20 });

export type SettingChangeRow = {
  id: string;
  /** The setting's key. */
  key: string;
  /** The JSON of the value before and after the change. */
  fromValue: string;
  toValue: string;
  actor: string;
  note: string | null;
  createdAt: Date;
};

export type SettingsUpdate = {
  settings: Settings;
  /** One audit row per setting that changed; empty when the patch changed nothing. */
  changes: SettingChangeRow[];
};

type Tx = Prisma.TransactionClient;

/** The one JSON spelling of a value, for the audit and for comparing values. */
const json = (value: unknown): string => JSON.stringify(value);

function badRequest(error: z.ZodError): OffloadError {
  return new OffloadError("BAD_REQUEST", describeZodError(error), error.issues[0]?.path.join(".") || undefined);
}

function toRow(row: {
  id: string;
  subjectId: string;
  fromValue: string;
  toValue: string;
  actor: string;
  note: string | null;
  createdAt: Date;
}): SettingChangeRow {
  return {
    id: row.id,
    key: row.subjectId,
    fromValue: row.fromValue,
    toValue: row.toValue,
    actor: row.actor,
    note: row.note,
    createdAt: row.createdAt,
  };
}

async function lockSettings(tx: Tx): Promise<void> {
  await tx.$queryRawUnsafe(`select 1 as locked from (select pg_advisory_xact_lock(${SETTINGS_LOCK_KEY})) l`);
}

/**
 * Applies a validated patch inside one transaction: reads the settings under the lock, refuses what
 * the settings together would not allow, stores the keys whose value changes and audits each.
 * `expect`: the undo's condition, the value one key must still have.
 */
async function applyPatch(
  db: Db,
  patch: SettingsPatch,
  actor: string,
  noteText: string | undefined,
  expect?: { key: SettingKey; value: string; changedSince: (current: string) => OffloadError },
): Promise<SettingsUpdate> {
  const result = await db.prisma.$transaction(async (tx) => {
    await lockSettings(tx);
    const current = await readSettings({ prisma: tx });
    if (expect && json(current[expect.key]) !== expect.value) throw expect.changedSince(json(current[expect.key]));
    const changed = (Object.keys(patch) as SettingKey[]).filter((key) => json(patch[key]) !== json(current[key]));
    if (changed.length === 0) return { settings: current, changes: [] };
    const next = { ...current, ...patch } as Settings;
    const broken = crossCheckSettings(next);
    if (broken) throw badRequest(new z.ZodError([broken]));
    const values = Object.fromEntries(changed.map((key) => [key, patch[key]])) as SettingsPatch;
    await writeSettings({ prisma: tx }, values);
    const changes: SettingChangeRow[] = [];
    for (const key of changed) {
      const row = await tx.tierChange.create({
        data: {
          subjectType: "setting",
          subjectId: key,
          fromValue: json(current[key]),
          toValue: json(next[key]),
          actor,
          note: noteText || null,
        },
      });
      changes.push(toRow(row));
    }
    return { settings: next, changes };
  });
  if (result.changes.length > 0) invalidateGatewayState();
  return result;
}

/** Changes settings: validated field by field (a bad value names its field and nothing is stored), audited per key. */
export async function changeSettings(db: Db, raw: unknown, actor: string): Promise<SettingsUpdate> {
  const parsed = updateSettingsInput.safeParse(raw);
  if (!parsed.success) throw badRequest(parsed.error);
  const { note: noteText, ...patch } = parsed.data;
  // Model mappings change only through their audited path (models router), never as a bare setting.
  if (patch.modelMappings !== undefined)
    throw new OffloadError(
      "BAD_REQUEST",
      "modelMappings: change model mappings with models.addMapping and models.removeMapping, which audit them",
      "modelMappings",
    );
  return applyPatch(db, patch, actor, noteText);
}

/** Puts a setting back to the value it had before a change, if it still has the value the change set; audited itself. */
export async function undoSettingChange(db: Db, changeId: string, actor: string): Promise<SettingChangeRow> {
  const change = await db.prisma.tierChange.findUnique({ where: { id: changeId } });
  if (!change || change.subjectType !== "setting")
    throw new OffloadError("NOT_FOUND", `no setting change "${changeId}"`, "changeId");
  const key = change.subjectId;
  if (!isSettingKey(key) || key === "modelMappings")
    throw new OffloadError("CONFLICT", `${key} is not a setting that can be changed here; nothing undone`, "changeId");
  let previous: unknown;
  try {
    previous = JSON.parse(change.fromValue);
  } catch {
    throw new OffloadError("CONFLICT", `the old value of ${key} cannot be read; nothing undone`, "changeId");
  }
  const value = settingsSchema.shape[key].safeParse(previous);
  if (!value.success)
    throw new OffloadError(
      "CONFLICT",
      `${key}: the old value ${change.fromValue} is no longer allowed (${describeZodError(value.error)}); nothing undone`,
      "changeId",
    );
  const { changes } = await applyPatch(
    db,
    { [key]: value.data } as SettingsPatch,
    actor,
    `undo of the change at ${change.createdAt.toISOString()}`,
    {
      key,
      value: change.toValue,
      changedSince: (now) =>
        new OffloadError(
          "CONFLICT",
          `${key} changed since (it is ${now} now, not ${change.toValue}); nothing undone`,
          "changeId",
        ),
    },
  );
  const [row] = changes;
  // The setting has the value the change set, which differs from its old value: the undo changes it.
  if (!row) throw new OffloadError("CONFLICT", `${key} already has its old value; nothing undone`, "changeId");
  return row;
}

/** The latest setting changes, newest first. */
export async function listSettingChanges(db: Db, limit = 20): Promise<SettingChangeRow[]> {
  const rows = await db.prisma.tierChange.findMany({
    where: { subjectType: "setting" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toRow);
}
