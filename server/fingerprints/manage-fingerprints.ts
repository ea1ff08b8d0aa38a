// The operator's rules for recurring turns: a fingerprint (core/turns/fingerprint.ts) assigned to a
// task type routes every matching turn as that task type, after an agent's pin and an explicit
// task type header, before a recognised heartbeat and the classifier (gateway/plan-turn.ts). Each
// assignment is one transaction with its TierChange audit row, takes effect for routing at once in
// this process, and can be undone through the tier audit like a lane move.
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { OffloadError } from "@/server/core/errors";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";

export const fingerprintIdSchema = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{16}$/, "a fingerprint is 16 hexadecimal digits");

export const assignFingerprintInput = z.object({
  id: fingerprintIdSchema,
  /** The task type matching turns route as; null removes the rule (the classifier decides again). */
  taskTypeId: z.string().trim().min(1, "a task type id is required").nullable(),
  /** The rule the caller saw (null: none): the change is refused if another operator changed it since. */
  from: z.string().trim().min(1).nullable().optional(),
  note: z.string().trim().max(500, "a note is at most 500 characters").optional(),
});

/** The audit's value for "no rule". */
export const NO_RULE = "none";

export type FingerprintChange = {
  id: string;
  subjectType: "fingerprint";
  subjectId: string;
  subjectName: string;
  fromValue: string;
  toValue: string;
  actor: string;
  note: string | null;
  createdAt: Date;
};

/** The fingerprint as the audit names it: its template, shortened. */
export function describeFingerprint(template: string): string {
  return template.length > 80 ? `“${template.slice(0, 79)}…”` : `“${template}”`;
}

/** Sets or removes a fingerprint's rule. null when nothing changed. */
export async function assignFingerprint(
  db: Db,
  raw: z.input<typeof assignFingerprintInput>,
  actor: string,
): Promise<FingerprintChange | null> {
  const input = assignFingerprintInput.parse(raw);
  const change = await db.prisma.$transaction(async (tx) => {
    const current = await tx.fingerprint.findUnique({
      where: { id: input.id },
      select: { taskTypeId: true, template: true },
    });
    if (!current) throw new OffloadError("NOT_FOUND", `no fingerprint "${input.id}" has been seen`, "id");
    if (input.taskTypeId !== null) {
      const type = await tx.taskType.findUnique({ where: { id: input.taskTypeId }, select: { id: true } });
      if (!type) throw new OffloadError("NOT_FOUND", `no task type "${input.taskTypeId}"`, "taskTypeId");
    }
    if (input.from !== undefined && current.taskTypeId !== input.from)
      throw new OffloadError(
        "CONFLICT",
        `this fingerprint's rule is ${current.taskTypeId ?? NO_RULE} now, not ${input.from ?? NO_RULE}: it was changed since; reload and decide again`,
        "from",
      );
    if (current.taskTypeId === input.taskTypeId) return null;
    // Only from the rule just read: a concurrent change in between makes this match nothing.
    const { count } = await tx.fingerprint.updateMany({
      where: { id: input.id, taskTypeId: current.taskTypeId },
      data: {
        taskTypeId: input.taskTypeId,
        assignedBy: input.taskTypeId ? actor : null,
        assignedAt: input.taskTypeId ? new Date() : null,
      },
    });
    if (count !== 1)
      throw new OffloadError(
        "CONFLICT",
        "this fingerprint's rule was changed by someone else at the same moment",
        "id",
      );
    const row = await tx.tierChange.create({
      data: {
        subjectType: "fingerprint",
        subjectId: input.id,
        fromValue: current.taskTypeId ?? NO_RULE,
        toValue: input.taskTypeId ?? NO_RULE,
        actor,
        note: input.note || null,
      },
    });
    return { ...row, subjectType: "fingerprint" as const, subjectName: describeFingerprint(current.template) };
  });
  invalidateGatewayState();
  return change;
}

/** Reverts a fingerprint change, if the rule is still what the change set; the undo is itself audited. */
export async function undoFingerprintChange(
  db: Db,
  change: { subjectId: string; fromValue: string; toValue: string },
  note: string,
  actor: string,
): Promise<FingerprintChange | null> {
  const back = change.fromValue === NO_RULE ? null : change.fromValue;
  const set = change.toValue === NO_RULE ? null : change.toValue;
  return assignFingerprint(db, { id: change.subjectId, taskTypeId: back, from: set, note }, actor);
}
