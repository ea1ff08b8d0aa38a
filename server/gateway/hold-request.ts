// A gateway request counts as in flight (shutdown waits for it) until its answer's body has been
// read out to the agent, or the agent has gone: not merely until the Response object exists.
import { whenRead } from "@/server/providers/answer-stream";
import { beginRequest, endRequest } from "./turn-writer";

/** Runs `work` as a request in flight; null when shutdown has begun and no new request is taken. */
export async function holdRequest(work: () => Promise<Response>): Promise<Response | null> {
  if (!beginRequest()) return null;
  let handedOn = false;
  try {
    const response = await work();
    if (!response.body) return response;
    handedOn = true;
    // An answer stream of the providers' says itself when it is read out: no stream around it.
    if (whenRead(response.body, endRequest)) return response;
    return new Response(releaseOnEnd(response.body, endRequest), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } finally {
    if (!handedOn) endRequest();
  }
}

/** The stream, calling `done` once when it ends, breaks or its reader cancels. */
function releaseOnEnd(stream: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  let called = false;
  const once = () => {
    if (!called) {
      called = true;
      done();
    }
  };
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: finished, value } = await reader.read();
        if (finished) {
          controller.close();
          once();
        } else controller.enqueue(value);
      } catch (err) {
        once();
        controller.error(err);
      }
    },
    async cancel(reason) {
      once();
      await reader.cancel(reason).catch(() => {});
    },
  });
}
