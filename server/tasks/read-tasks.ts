// The Tasks page's read model: the queue by lane and status, throughput (tasks ended per hour over
// the last 24 hours, by who ran them), the latest failures, the tasks themselves (filtered), and what
// the sidecar's scripts saved. Claims that expired are shown as queued (the next claim takes them).
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { LANES, type Lane } from "@/server/core/lanes";
import { microUsdToNumber } from "@/server/core/money";
import { TASK_STATUSES, type TaskStatus } from "@/server/core/tasks/task-statuses";
import { toTaskView, type TaskView } from "./task-queue";

export const taskListInput = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  lane: z.enum(LANES).optional(),
  agent: z.string().max(63).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export type TaskListInput = z.input<typeof taskListInput>;

export type TaskOverview = {
  counts: { lane: Lane; status: TaskStatus; tasks: number }[];
  /** Tasks ended per hour (UTC, the last 24), by who ran them. */
  throughput: { hour: string; sidecar: number; escalated: number; agent: number; failed: number }[];
  /** Seconds from queued to claimed and from claimed to ended, medians over the last 24 hours. */
  waitSeconds: number | null;
  runSeconds: number | null;
  failures: TaskView[];
  tasks: TaskView[];
  /** The sidecar's zero-token work: tasks run as scripts and the Claude cost they avoided (last 7 days). */
  sidecar: { tasks: number; avoidedUsd: number };
};

export async function readTaskOverview(db: Db, raw: TaskListInput = {}, now: Date = new Date()): Promise<TaskOverview> {
  const input = taskListInput.parse(raw);
  // timestamp(3) columns hold UTC wall clocks (as Prisma writes them): compared with wall-clock text.
  const wallClock = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
  const nowText = wallClock(now);
  const dayAgo = wallClock(new Date(now.getTime() - 86_400_000));
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const [counts, hours, timing, failures, tasks, sidecar] = await Promise.all([
    db.sql.query<{ lane: Lane; status: TaskStatus; tasks: string }>(
      `select "lane", case when "status" = 'claimed' and "claimExpiresAt" < $1::timestamp(3) then 'queued' else "status"::text end as status,
              count(*)::text as tasks
         from "Task" group by 1, 2 order by 1, 2`,
      [nowText],
    ),
    db.sql.query<{ hour: string; sidecar: string; escalated: string; agent: string; failed: string }>(
      `select to_char(date_trunc('hour', "completedAt"), 'YYYY-MM-DD"T"HH24":00Z"') as hour,
              count(*) filter (where "status" = 'done' and "executedBy" = 'sidecar' and not "escalated")::text as sidecar,
              count(*) filter (where "status" = 'done' and "escalated")::text as escalated,
              count(*) filter (where "status" = 'done' and coalesce("executedBy", 'agent') = 'agent')::text as agent,
              count(*) filter (where "status" = 'failed')::text as failed
         from "Task" where "completedAt" >= $1::timestamp(3) group by 1 order by 1`,
      [dayAgo],
    ),
    db.sql.query<{ wait: number | null; run: number | null }>(
      `select percentile_cont(0.5) within group (order by extract(epoch from ("claimedAt" - "createdAt"))) as wait,
              percentile_cont(0.5) within group (order by extract(epoch from ("completedAt" - "claimedAt"))) as run
         from "Task" where "completedAt" >= $1::timestamp(3) and "claimedAt" is not null and "status" in ('done', 'failed')`,
      [dayAgo],
    ),
    db.prisma.task.findMany({ where: { status: "failed" }, orderBy: { completedAt: "desc" }, take: 10 }),
    db.prisma.task.findMany({
      where: {
        // An expired claim is queued again (the next claim takes it): listed as the counts show it.
        ...(input.status === "queued"
          ? { OR: [{ status: "queued" }, { status: "claimed", claimExpiresAt: { lt: now } }] }
          : input.status === "claimed"
            ? { status: "claimed", claimExpiresAt: { gte: now } }
            : input.status
              ? { status: input.status }
              : {}),
        ...(input.lane ? { lane: input.lane } : {}),
        ...(input.agent ? { AND: [{ OR: [{ agentId: input.agent }, { claimedBy: input.agent }] }] } : {}),
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: input.limit,
    }),
    db.prisma.turn.aggregate({
      where: { lane: "sidecar", source: "sidecar", startedAt: { gte: weekAgo } },
      _count: true,
      _sum: { counterfactualMicroUsd: true },
    }),
  ]);
  const num = (v: string | number | null) => (v === null ? null : Number(v));
  return {
    counts: counts.map((c) => ({ lane: c.lane, status: c.status, tasks: Number(c.tasks) })),
    throughput: hours.map((h) => ({
      hour: h.hour,
      sidecar: Number(h.sidecar),
      escalated: Number(h.escalated),
      agent: Number(h.agent),
      failed: Number(h.failed),
    })),
    waitSeconds: num(timing[0]?.wait ?? null),
    runSeconds: num(timing[0]?.run ?? null),
    failures: failures.map((t) => toTaskView(t as Parameters<typeof toTaskView>[0])),
    tasks: tasks.map((t) => toTaskView(t as Parameters<typeof toTaskView>[0])),
    sidecar: {
      tasks: sidecar._count,
      avoidedUsd: microUsdToNumber(sidecar._sum.counterfactualMicroUsd ?? 0n),
    },
  };
}
