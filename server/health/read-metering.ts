// Whether metering keeps up, for the Health page: turns waiting for the database, turns on disk in
// the spool, whether the database answers, and the turns it refused (DeadTurn), newest first.
import type { Db } from "@/server/db/client";
import { turnWriterStatus } from "@/server/gateway/turn-writer";

export type DeadTurnRow = { id: string; agentId: string | null; error: string; failedAt: Date };

export type MeteringView = {
  pending: number;
  spooled: number;
  databaseUnreachableForMs: number | null;
  deadTurns: number;
  recentDeadTurns: DeadTurnRow[];
};

export async function readMetering(db: Db): Promise<MeteringView> {
  const writer = turnWriterStatus();
  const [deadTurns, recent] = await Promise.all([
    db.prisma.deadTurn.count(),
    db.prisma.deadTurn.findMany({ orderBy: { failedAt: "desc" }, take: 5 }),
  ]);
  return {
    pending: writer.pending,
    spooled: writer.spooled,
    databaseUnreachableForMs: writer.databaseUnreachableForMs,
    deadTurns,
    recentDeadTurns: recent.map((d) => {
      const agentId = (d.payload as { agentId?: unknown } | null)?.agentId;
      return { id: d.id, agentId: typeof agentId === "string" ? agentId : null, error: d.error, failedAt: d.failedAt };
    }),
  };
}
