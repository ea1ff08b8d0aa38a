import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { holdEnd, relayStream, wholeStream, whenRead } from "./answer-stream";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);
const tick = () => new Promise((r) => setTimeout(r, 5));

function relay() {
  const source = new PassThrough();
  const tapped: string[] = [];
  const endings: string[] = [];
  const stream = relayStream(source, {
    tap: (chunk) => tapped.push(text(chunk)),
    ended: (how) => endings.push(how),
  });
  return { source, stream, tapped, endings };
}

describe("relayStream", () => {
  it("takes nothing from its source before the first read, then passes each chunk through the tap", async () => {
    const { source, stream, tapped } = relay();
    source.write("event: a\n\n");
    await tick();
    expect(tapped).toEqual([]);
    const reader = stream.getReader();
    expect(text((await reader.read()).value)).toBe("event: a\n\n");
    source.write("event: b\n\n");
    expect(text((await reader.read()).value)).toBe("event: b\n\n");
    expect(tapped).toEqual(["event: a\n\n", "event: b\n\n"]);
  });

  it("holds its end until every hold settled, and says it was read out only then", async () => {
    const { source, stream, endings } = relay();
    let durable!: () => void;
    expect(holdEnd(stream, new Promise<void>((resolve) => (durable = resolve)))).toBe(true);
    const finished: string[] = [];
    expect(whenRead(stream, () => finished.push("read out"))).toBe(true);
    const reader = stream.getReader();
    source.end("last");
    expect(text((await reader.read()).value)).toBe("last");
    let closed = false;
    const end = reader.read().then((r) => (closed = r.done));
    await tick();
    // The source ended (the meter saw it) but the agent does not see the end before the turn is durable.
    expect(endings).toEqual(["end"]);
    expect(closed).toBe(false);
    expect(finished).toEqual([]);
    durable();
    await end;
    expect(closed).toBe(true);
    expect(finished).toEqual(["read out"]);
    // Asked again after the fact: at once.
    whenRead(stream, () => finished.push("late"));
    expect(finished).toEqual(["read out", "late"]);
  });

  it("ends without waiting when a hold fails (the turn is still queued), as when none is set", async () => {
    const { source, stream } = relay();
    holdEnd(stream, Promise.reject(new Error("disk full")));
    const reader = stream.getReader();
    source.end();
    expect((await reader.read()).done).toBe(true);
  });

  it("on the reader's cancel: says so once, destroys the source and counts as read", async () => {
    const { source, stream, endings } = relay();
    const finished: string[] = [];
    whenRead(stream, () => finished.push("gone"));
    const reader = stream.getReader();
    source.write("partial");
    await reader.read();
    await reader.cancel();
    expect(endings).toEqual(["cancel"]);
    expect(source.destroyed).toBe(true);
    expect(finished).toEqual(["gone"]);
  });

  it("takes one chunk from its source per read: what the agent has not read stays upstream", async () => {
    const { source, stream, tapped } = relay();
    source.write("a");
    source.write("b");
    source.write("c");
    const reader = stream.getReader();
    expect(text((await reader.read()).value)).toBe("a");
    await tick();
    expect(tapped).toEqual(["a"]);
    expect(text((await reader.read()).value)).toBe("b");
    await tick();
    expect(tapped).toEqual(["a", "b"]);
  });

  it("drops what its source still had buffered when the reader cancels right after asking for more", async () => {
    const { source, stream, tapped, endings } = relay();
    source.write("a");
    source.write("b");
    const reader = stream.getReader();
    expect(text((await reader.read()).value)).toBe("a");
    // The next read resumes the source, which flows on the next tick: the cancel comes first.
    void reader.read().catch(() => {});
    await reader.cancel();
    await tick();
    expect(tapped).toEqual(["a"]);
    expect(endings).toEqual(["cancel"]);
  });

  it("errors the stream when the source breaks off, and says so", async () => {
    const { source, stream, endings } = relay();
    const finished: string[] = [];
    whenRead(stream, () => finished.push("broken"));
    const reader = stream.getReader();
    const read = reader.read();
    source.destroy(new Error("upstream reset"));
    await expect(read).rejects.toThrow("upstream reset");
    expect(endings).toEqual(["error"]);
    expect(finished).toEqual(["broken"]);
  });
});

describe("wholeStream", () => {
  it("gives its one buffer, and is read out when the reader has seen the end", async () => {
    const stream = wholeStream(bytes("{}"));
    const finished: string[] = [];
    expect(whenRead(stream, () => finished.push("read out"))).toBe(true);
    const reader = stream.getReader();
    expect(text((await reader.read()).value)).toBe("{}");
    expect(finished).toEqual([]);
    expect((await reader.read()).done).toBe(true);
    expect(finished).toEqual(["read out"]);
  });

  it("counts as read when cancelled, and takes no hold (its bytes are whole already)", async () => {
    const stream = wholeStream(bytes("{}"));
    expect(holdEnd(stream, Promise.resolve())).toBe(false);
    const finished: string[] = [];
    whenRead(stream, () => finished.push("gone"));
    await stream.cancel();
    expect(finished).toEqual(["gone"]);
  });
});

it("leaves other streams to their callers", () => {
  const other = new Blob(["x"]).stream();
  expect(whenRead(other, () => {})).toBe(false);
  expect(holdEnd(other, Promise.resolve())).toBe(false);
  expect(whenRead(null, () => {})).toBe(false);
});
