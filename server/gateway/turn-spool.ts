// The turn spool: a write-ahead log of answered turns in the data folder, so that a turn answered
// but not yet in the database survives kill -9, a power cut or a database outage. The gateway
// appends each turn before its answer completes; appends arriving together share one write and one
// fdatasync (group commit). Once the writer has stored a turn (or dead-lettered it) the spool
// forgets it; a segment file whose turns are all stored is deleted. At start, the segments left
// by a process that is gone are replayed into the database (turns already there are skipped).
import fs from "node:fs";
import path from "node:path";
import type { TurnRecord } from "@/server/core/turn-record";

/** A segment is closed for appends past this size, and deleted once all its turns are stored. */
const SEGMENT_BYTES = 8 * 1024 * 1024;
const SEGMENT = /^turns-(\d+)-(\d+)-(\d+)\.jsonl$/;

/** O_DSYNC where the platform has it (Linux, macOS); else each group is written, then fdatasync'd. */
const DSYNC = fs.constants.O_DSYNC ?? 0;

type Waiter = { line: string; ids: string[]; resolve: () => void; reject: (err: Error) => void };

type Segment = {
  file: string;
  fd: number;
  bytes: number;
  outstanding: Set<string>;
  closed: boolean;
  /** A write to it is in flight: close() leaves its fd to the write's end. */
  writing?: boolean;
  closeAfterWrite?: boolean;
};

/**
 * A turn as one JSON line: bigints as strings (`"123n"`), dates as ISO strings. A turn's bigints are
 * its own fields (no nested ones), converted on a shallow copy: JSON.stringify with a replacer
 * function is several times slower, and this runs for every answered turn.
 */
export function spoolLine(turn: TurnRecord): string {
  const plain: Record<string, unknown> = { ...turn };
  for (const key in plain) {
    const v = plain[key];
    if (typeof v === "bigint") plain[key] = `${v}n`;
  }
  return JSON.stringify(plain);
}

/** A spooled line back as a turn; null for a line cut short by a crash. */
export function turnFromSpoolLine(line: string): TurnRecord | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line, (_, v: unknown) =>
      typeof v === "string" && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
    );
  } catch {
    return null;
  }
  if (typeof raw.id !== "string" || typeof raw.agentId !== "string" || typeof raw.startedAt !== "string") return null;
  return { ...(raw as unknown as TurnRecord), startedAt: new Date(raw.startedAt) };
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class TurnSpool {
  private current: Segment | null = null;
  private readonly segments = new Map<string, Segment>();
  /** turn id -> its segment */
  private readonly where = new Map<string, Segment>();
  private queue: Waiter[] = [];
  private writing = false;
  /** Turns appended whose group is not written yet, and those of them already settled meanwhile. */
  private readonly unplaced = new Set<string>();
  private readonly settledUnplaced = new Set<string>();
  /** After close(): no segment is opened any more. */
  private shut = false;
  private seq = 0;
  private readonly started = Date.now();
  /** Appends and fdatasyncs, for the bench and the Health page. */
  readonly stats = { groups: 0, turns: 0, bytes: 0 };

  /**
   * `sync`: fdatasync each group (survives a power cut as well as kill -9); without it a group is
   * only written (in the kernel's page cache: survives kill -9 and a crash of Offload, not of the machine).
   */
  constructor(
    readonly dir: string,
    readonly sync = true,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Resolves once the turns are on disk (written with O_DSYNC, or written and fdatasync'd). */
  append(turns: readonly TurnRecord[]): Promise<void> {
    if (turns.length === 0) return Promise.resolve();
    const line = turns.map(spoolLine).join("\n") + "\n";
    for (const t of turns) this.unplaced.add(t.id);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, ids: turns.map((t) => t.id), resolve, reject });
      if (!this.writing) setImmediate(() => this.writeGroup());
    });
  }

  /**
   * The turns are stored (or dead-lettered): their segment may go once none of its turns is
   * outstanding. Resolves once the segments let go are closed and deleted (off the event loop: an
   * unlink can take milliseconds on a busy disk, and the answers in flight must not wait for it).
   */
  settle(ids: readonly string[]): Promise<void> {
    const removed: Promise<void>[] = [];
    for (const id of ids) {
      const segment = this.where.get(id);
      if (!segment) {
        // Stored before its own group was written (the writer may flush first): not to be kept.
        if (this.unplaced.has(id)) this.settledUnplaced.add(id);
        continue;
      }
      this.where.delete(id);
      segment.outstanding.delete(id);
      if (segment.outstanding.size === 0 && segment.closed) removed.push(this.remove(segment));
    }
    // An idle current segment with nothing outstanding starts afresh: the folder stays small.
    const c = this.current;
    if (c && c.outstanding.size === 0 && c.bytes > 0 && !this.writing && this.queue.length === 0) {
      c.closed = true;
      this.current = null;
      removed.push(this.remove(c));
    }
    return removed.length ? Promise.all(removed).then(() => {}) : Promise.resolve();
  }

  private remove(segment: Segment): Promise<void> {
    if (!this.segments.delete(segment.file)) return Promise.resolve();
    return new Promise<void>((resolve) =>
      fs.close(segment.fd, () => fs.rm(segment.file, { force: true }, () => resolve())),
    );
  }

  /** The segment to append to: the current one, or a new one opened (asynchronously) when it is full or gone. */
  private withSegment(use: (err: Error | null, segment: Segment | null) => void): void {
    if (this.current && this.current.bytes < SEGMENT_BYTES) return use(null, this.current);
    if (this.current) {
      this.current.closed = true;
      if (this.current.outstanding.size === 0) void this.remove(this.current);
      this.current = null;
    }
    const file = path.join(this.dir, `turns-${process.pid}-${this.started}-${++this.seq}.jsonl`);
    // With O_DSYNC each write returns once its data is on disk: one call does write + fdatasync.
    const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (this.sync ? DSYNC : 0);
    fs.open(file, flags, 0o600, (err, fd) => {
      if (err) return use(err, null);
      if (this.shut) {
        fs.close(fd, () => fs.rm(file, { force: true }, () => {}));
        return use(new Error("the turn spool is closed"), null);
      }
      const segment: Segment = { file, fd, bytes: 0, outstanding: new Set(), closed: false };
      this.segments.set(file, segment);
      this.current = segment;
      use(null, segment);
    });
  }

  private writeGroup(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const group = this.queue;
    this.queue = [];
    const data = Buffer.from(group.map((w) => w.line).join(""));
    const finish = (err: Error | null, segment: Segment | null) => {
      for (const w of group)
        for (const id of w.ids) {
          this.unplaced.delete(id);
          this.settledUnplaced.delete(id);
        }
      if (segment) {
        segment.bytes += data.length;
        segment.writing = false;
        if (segment.closeAfterWrite) fs.close(segment.fd, () => {});
      }
      this.stats.groups++;
      this.stats.bytes += data.length;
      this.stats.turns += group.reduce((n, w) => n + w.ids.length, 0);
      this.writing = false;
      for (const w of group) {
        if (err) w.reject(err);
        else w.resolve();
      }
      if (this.queue.length) setImmediate(() => this.writeGroup());
    };
    this.withSegment((openErr, segment) => {
      if (openErr || !segment) return finish(openErr ?? new Error("no spool segment"), null);
      for (const w of group)
        for (const id of w.ids) {
          if (this.settledUnplaced.has(id)) continue;
          segment.outstanding.add(id);
          this.where.set(id, segment);
        }
      segment.writing = true;
      fs.write(segment.fd, data, 0, data.length, null, (writeErr) => {
        if (writeErr || !this.sync || DSYNC) return finish(writeErr, segment);
        fs.fdatasync(segment.fd, (syncErr) => finish(syncErr, segment));
      });
    });
  }

  /** The turns left by processes that are gone, with the files they came from (to delete once stored). */
  leftBehind(): { turns: TurnRecord[]; files: string[] } {
    const turns: TurnRecord[] = [];
    const files: string[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return { turns, files };
    }
    for (const name of names) {
      const m = SEGMENT.exec(name);
      if (!m || alive(Number(m[1]))) continue;
      const file = path.join(this.dir, name);
      files.push(file);
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const turn = turnFromSpoolLine(line);
        if (turn) turns.push(turn);
      }
    }
    return { turns, files };
  }

  /** Turns appended but not yet settled. */
  get outstanding(): number {
    return this.where.size;
  }

  close(): void {
    this.shut = true;
    for (const segment of this.segments.values()) {
      // A write in flight keeps its fd until it ends (a number closed now could be reused meanwhile).
      if (segment.writing) {
        segment.closeAfterWrite = true;
        continue;
      }
      try {
        fs.closeSync(segment.fd);
      } catch {
        // already closed
      }
    }
    this.segments.clear();
    this.current = null;
  }
}
