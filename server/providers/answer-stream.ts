// An answer's body on its way to the agent as one web stream that carries what the gateway needs
// along the way: each chunk shown to the meter, the end held until the turn is durable, and a note
// once the agent has read it all (or gone). Before, each of these was a stream of its own wrapped
// around the last (the upstream body, the durability gate, the in-flight count), and every chunk
// crossed three web streams, each with its reader, promises and transfer machinery.
//
// The streams are pull-driven (no queue of their own): a chunk is taken from the source only when
// the reader asks for one, so when the source ends nothing is left unread, and closing the stream
// is the moment the agent's reader sees the end.
import type { Readable } from "node:stream";

type Finish = {
  done: boolean;
  /** Called once the stream is read out, broke off or was cancelled. */
  hooks: (() => void)[];
  /** What a clean end waits for before the reader sees it (relayed streams only). */
  holds: Promise<unknown>[];
  relay: boolean;
};

/** The streams made here, and who is waiting for each. */
const finishes = new WeakMap<ReadableStream<Uint8Array>, Finish>();

function finisher(relay: boolean): Finish & { finish: () => void } {
  const state: Finish = { done: false, hooks: [], holds: [], relay };
  return Object.assign(state, {
    finish() {
      if (state.done) return;
      state.done = true;
      for (const hook of state.hooks.splice(0)) hook();
    },
  });
}

/**
 * Calls `hook` once the stream has been read to its end, broke off or was cancelled (at once if it
 * already was). Returns false for a stream not made here: then the caller must watch it itself.
 */
export function whenRead(stream: ReadableStream<Uint8Array> | null, hook: () => void): boolean {
  const state = stream ? finishes.get(stream) : undefined;
  if (!state) return false;
  if (state.done) hook();
  else state.hooks.push(hook);
  return true;
}

/**
 * The end of a stream made by relayStream waits until `until` settles (the turn it answers is
 * durable): the reader gets every chunk at once, but not the end before. Returns false for any other
 * stream. Called before the stream is first read (a relayed stream takes nothing from its source
 * before that), the hold is never late.
 */
export function holdEnd(stream: ReadableStream<Uint8Array>, until: Promise<unknown>): boolean {
  const state = finishes.get(stream);
  if (!state?.relay) return false;
  state.holds.push(until);
  return true;
}

export type RelayHooks = {
  /** Each chunk, as it passes. */
  tap(chunk: Uint8Array): void;
  /** How the source ended (once): read to its end, broke off, or the reader cancelled. */
  ended(how: "end" | "error" | "cancel", err?: unknown): void;
};

/** A Node stream (an upstream answer) relayed as one web stream, with the hooks above. */
export function relayStream(source: Readable, hooks: RelayHooks): ReadableStream<Uint8Array> {
  const state = finisher(true);
  let ended = false;
  const end = (how: "end" | "error" | "cancel", err?: unknown) => {
    if (ended) return;
    ended = true;
    hooks.ended(how, err);
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  source.pause();
  source.on("data", (chunk: Buffer) => {
    // A chunk already buffered can still come after a cancel (resume() flows on the next tick, and
    // destroy() does not take it back): the stream is closed by then, and an enqueue would throw.
    if (ended || state.done) return;
    hooks.tap(chunk);
    controller.enqueue(chunk);
    // No queue: the next chunk waits for the next read.
    if ((controller.desiredSize ?? 0) <= 0) source.pause();
  });
  source.once("end", () => {
    if (ended) return;
    end("end");
    const close = () => {
      if (state.done) return;
      controller.close();
      state.finish();
    };
    if (state.holds.length) void Promise.allSettled(state.holds).then(close);
    else close();
  });
  source.once("error", (err) => {
    if (ended) return;
    end("error", err);
    controller.error(err);
    state.finish();
  });
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        source.resume();
      },
      cancel() {
        end("cancel");
        source.destroy();
        state.finish();
      },
    },
    { highWaterMark: 0 },
  );
  finishes.set(stream, state);
  return stream;
}

/** A whole answer (one buffer) as a web stream, read out when its reader has seen the end. */
export function wholeStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const state = finisher(false);
  let sent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(bytes);
          return;
        }
        controller.close();
        state.finish();
      },
      cancel() {
        state.finish();
      },
    },
    { highWaterMark: 0 },
  );
  finishes.set(stream, state);
  return stream;
}
