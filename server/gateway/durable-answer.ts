// An answer's body whose end waits until its turn is durable (spooled): the agent has every byte
// as soon as it is produced, but the response does not complete before the turn it paid for is on
// disk, so a turn the agent saw answered is never lost to a crash.
import { holdEnd } from "@/server/providers/answer-stream";

export function endAfter(body: ReadableStream<Uint8Array>, durable: Promise<unknown>): ReadableStream<Uint8Array> {
  // A relayed upstream answer (the Claude lane) holds its own end: no second stream per chunk.
  if (holdEnd(body, durable)) return body;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async flush() {
        await durable.catch(() => {});
      },
    }),
  );
}
