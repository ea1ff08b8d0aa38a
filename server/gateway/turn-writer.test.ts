// Metering that one row cannot stop, on each database: a turn the database refuses is set aside
// (DeadTurn) while the rows around it are stored and later turns keep flowing; a NUL byte or an
// impossible count is made storable; while the database is away turns wait and are stored when it
// is back; the spool holds answered turns on disk until they are stored, and a previous process's
// spool is stored at start without storing anything twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { addAgent } from "@/server/agents/manage-agents";
import type { Db } from "@/server/db/client";
import { recordTurns } from "@/server/db/record-turns";
import { testDatabases } from "@/server/testing/test-databases";
import { testTurn } from "@/server/testing/turn-fixture";
import { readMetering } from "@/server/health/read-metering";
import { spoolLine } from "./turn-spool";
import {
  configureTurnWriter,
  enqueueTurns,
  flushTurns,
  recoverSpooledTurns,
  resetTurnWriter,
  turnWriterStatus,
} from "./turn-writer";

const dailyTurns = async (db: Db) =>
  Number((await db.prisma.dailyUsage.aggregate({ _sum: { turns: true } }))._sum.turns ?? 0);

for (const target of testDatabases()) {
  describe(`turn writer on ${target.kind}`, () => {
    let db: Db;
    let spoolDir: string;

    afterAll(() => target.cleanup());
    beforeEach(async () => {
      resetTurnWriter();
      db = await target.create();
      await addAgent(db, { id: "loash" });
      spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-spool-"));
    });
    afterEach(() => {
      configureTurnWriter(async () => db);
      fs.rmSync(spoolDir, { recursive: true, force: true });
    });

    it("stores a NUL byte's turn (stripped) and the turns behind it", async () => {
      configureTurnWriter(async () => db);
      await enqueueTurns(testTurn({ requestedModel: "claude\u0000x", inputTokens: 2 ** 31 }));
      await enqueueTurns(...Array.from({ length: 50 }, () => testTurn()));
      await flushTurns();
      expect(await db.prisma.turn.count()).toBe(51);
      const odd = await db.prisma.turn.findFirstOrThrow({ where: { requestedModel: "claudex" } });
      expect(odd.inputTokens).toBe(2_147_483_647);
      expect(await dailyTurns(db)).toBe(51);
    });

    it("sets aside a row the database refuses, stores the rest of its batch, and keeps metering", async () => {
      configureTurnWriter(async () => db);
      const ghost = testTurn({ agentId: "ghost" }); // no such agent: a foreign key the database enforces
      await enqueueTurns(
        ...Array.from({ length: 30 }, () => testTurn()),
        ghost,
        ...Array.from({ length: 30 }, () => testTurn()),
      );
      await flushTurns();
      expect(await db.prisma.turn.count()).toBe(60);
      expect(await dailyTurns(db)).toBe(60);
      const dead = await db.prisma.deadTurn.findMany();
      expect(dead.map((d) => d.id)).toEqual([ghost.id]);
      expect(dead[0]!.error).toMatch(/foreign key/i);
      expect(dead[0]!.payload).toMatchObject({ id: ghost.id, agentId: "ghost" });
      expect(turnWriterStatus()).toMatchObject({ pending: 0, deadLetteredSinceStart: 1 });
      expect(await readMetering(db)).toMatchObject({
        pending: 0,
        deadTurns: 1,
        recentDeadTurns: [{ id: ghost.id, agentId: "ghost", error: expect.stringMatching(/foreign key/i) }],
      });

      await enqueueTurns(testTurn());
      await flushTurns();
      expect(await db.prisma.turn.count()).toBe(61);
    });

    it("keeps turns while the database is away and stores them once it answers", async () => {
      configureTurnWriter(async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      });
      await enqueueTurns(testTurn(), testTurn());
      await expect(flushTurns()).rejects.toThrow(/ECONNREFUSED/);
      expect(turnWriterStatus().pending).toBe(2);
      expect(turnWriterStatus().databaseUnreachableForMs).not.toBeNull();
      configureTurnWriter(async () => db);
      await flushTurns();
      expect(await db.prisma.turn.count()).toBe(2);
      expect(await db.prisma.deadTurn.count()).toBe(0);
      expect(turnWriterStatus()).toMatchObject({ pending: 0, databaseUnreachableForMs: null });
    });

    it("counts the batch a flush is writing as pending until it is stored", async () => {
      // A flush takes its batch off the queue before the database answers: /api/health and a
      // caller waiting for pending to reach 0 must still see those turns as not stored.
      let connect!: (db: Db) => void;
      const connected = new Promise<Db>((resolve) => (connect = resolve));
      configureTurnWriter(() => connected);
      await enqueueTurns(testTurn(), testTurn(), testTurn());
      const flushing = flushTurns();
      try {
        await enqueueTurns(testTurn());
        expect(turnWriterStatus().pending).toBe(4);
      } finally {
        connect(db);
        await flushing;
      }
      expect(turnWriterStatus().pending).toBe(1);
      expect(await db.prisma.turn.count()).toBe(3);
      await flushTurns();
      expect(turnWriterStatus().pending).toBe(0);
      expect(await db.prisma.turn.count()).toBe(4);
    });

    it("spools answered turns to disk until they are stored, then forgets them", async () => {
      configureTurnWriter(async () => db, { spoolDir });
      const turns = [testTurn({ costMicroUsd: 123n }), testTurn()];
      await enqueueTurns(...turns);
      const [file] = fs.readdirSync(spoolDir);
      const lines = fs.readFileSync(path.join(spoolDir, file!), "utf8").trim().split("\n");
      expect(lines).toEqual(turns.map(spoolLine));
      expect(turnWriterStatus().spooled).toBe(2);
      await flushTurns();
      expect(fs.readdirSync(spoolDir)).toEqual([]);
      expect(turnWriterStatus().spooled).toBe(0);
    });

    it("stores a dead process's spooled turns at start, each once", async () => {
      const stored = testTurn();
      await recordTurns(db, [stored]);
      const lost = [testTurn({ costMicroUsd: 2n ** 40n }), testTurn({ source: "gateway", reason: "killed mid-batch" })];
      // A process that no longer exists (pids are never this high) left three turns, one already stored,
      // and a last line cut short by the crash.
      const file = path.join(spoolDir, "turns-4194999-1-1.jsonl");
      fs.writeFileSync(file, [stored, ...lost].map(spoolLine).join("\n") + '\n{"id":"cut-sh');
      configureTurnWriter(async () => db, { spoolDir });
      expect(await recoverSpooledTurns(db)).toBe(2);
      expect(await db.prisma.turn.count()).toBe(3);
      expect(await dailyTurns(db)).toBe(3);
      const big = await db.prisma.turn.findUniqueOrThrow({ where: { id: lost[0]!.id } });
      expect(big.costMicroUsd).toBe(2n ** 40n);
      expect(fs.existsSync(file)).toBe(false);
      expect(await recoverSpooledTurns(db)).toBe(0);
    });
  });
}
