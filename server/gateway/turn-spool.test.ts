// The spool on its own: what it writes, what it forgets, and a folder that goes away under it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testTurn } from "@/server/testing/turn-fixture";
import { spoolLine, turnFromSpoolLine, TurnSpool } from "./turn-spool";

const folders: string[] = [];
const folder = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offload-spool-"));
  folders.push(dir);
  return path.join(dir, "spool");
};
afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const segments = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl"));

describe("the turn spool", () => {
  it("writes a turn's line as it reads it back, bigints and dates included", () => {
    const turn = testTurn({ costMicroUsd: 12_345n, inputTokens: 7, startedAt: new Date("2026-11-30T10:00:00.123Z") });
    expect(turnFromSpoolLine(spoolLine(turn))).toEqual(turn);
    expect(turnFromSpoolLine(spoolLine(turn).slice(0, 40))).toBeNull();
  });

  for (const sync of [true, false]) {
    it(`keeps appended turns on disk until they are settled, then deletes the emptied segment (${sync ? "synced" : "written"})`, async () => {
      const dir = folder();
      const spool = new TurnSpool(dir, sync);
      const turns = Array.from({ length: 5 }, () => testTurn());
      await Promise.all(turns.map((t) => spool.append([t])));
      expect(spool.outstanding).toBe(5);
      const [file] = segments(dir);
      const lines = fs.readFileSync(path.join(dir, file!), "utf8").trim().split("\n");
      expect(lines.map((l) => turnFromSpoolLine(l)?.id).sort()).toEqual(turns.map((t) => t.id).sort());
      await spool.settle(turns.map((t) => t.id));
      expect(spool.outstanding).toBe(0);
      expect(segments(dir)).toEqual([]);
      spool.close();
    });
  }

  it("rejects an append when its folder is gone, instead of throwing out of the process", async () => {
    const dir = folder();
    const spool = new TurnSpool(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    await expect(spool.append([testTurn()])).rejects.toThrow(/ENOENT/);
    // It writes again once the folder is back.
    fs.mkdirSync(dir, { recursive: true });
    await spool.append([testTurn()]);
    expect(segments(dir)).toHaveLength(1);
    spool.close();
  });

  it("forgets a turn stored before its own group was written (the writer can flush first)", async () => {
    const dir = folder();
    const spool = new TurnSpool(dir);
    const turn = testTurn();
    const written = spool.append([turn]);
    await spool.settle([turn.id]); // before the write: nothing placed yet
    await written;
    expect(spool.outstanding).toBe(0);
    await spool.settle([]); // the idle segment goes
    expect(segments(dir)).toEqual([]);
    spool.close();
  });

  it("opens nothing after close(), even for a group whose segment was being opened", async () => {
    const dir = folder();
    const spool = new TurnSpool(dir);
    const pending = spool.append([testTurn()]);
    spool.close();
    await expect(pending).rejects.toThrow(/closed/);
    // The file opened meanwhile is closed and removed (an unlink can take a while on a busy disk).
    await expect.poll(() => segments(dir), { timeout: 10_000 }).toEqual([]);
  });
});
