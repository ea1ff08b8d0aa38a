// The local lanes' client: the official `ollama` package against one Ollama host. One client per
// request, so that a request's timeout or a disconnected agent aborts that request alone. Counts
// the requests in flight (until their body is read to the end), per host, for the health page and
// for picking the least busy host.
import "server-only";
import { Ollama } from "ollama";
import { env } from "@/server/process/env";
import { processSlot } from "@/server/process/process-registry";

const inFlight = processSlot("ollamaInFlight", () => ({ count: 0, byHost: new Map<string, number>() }));

/** Local model requests in flight in this process right now (to one host, or to all). */
export function localRequestsInFlight(host?: string): number {
  return host === undefined ? inFlight.count : (inFlight.byHost.get(host) ?? 0);
}

async function countedFetch(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  host: string,
  signal?: AbortSignal,
): Promise<Response> {
  inFlight.count++;
  inFlight.byHost.set(host, (inFlight.byHost.get(host) ?? 0) + 1);
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      inFlight.count--;
      const left = (inFlight.byHost.get(host) ?? 1) - 1;
      if (left > 0) inFlight.byHost.set(host, left);
      else inFlight.byHost.delete(host);
    }
  };
  try {
    const res = await fetch(input, signal ? { ...init, signal } : init);
    if (!res.body) {
      finish();
      return res;
    }
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done: end, value } = await reader.read();
          if (end) {
            finish();
            controller.close();
          } else controller.enqueue(value);
        } catch (err) {
          finish();
          controller.error(err);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  } catch (err) {
    finish();
    throw err;
  }
}

/** `counted: false` for the health probes: they are not local requests, and must not make a host look busy. */
export function ollamaClient(
  signal?: AbortSignal,
  host: string = env().OLLAMA_HOST,
  options: { counted?: boolean } = {},
): Ollama {
  if (options.counted === false)
    return new Ollama({ host, fetch: (input, init) => fetch(input, signal ? { ...init, signal } : init) });
  return new Ollama({ host, fetch: (input, init) => countedFetch(input, init, host, signal) });
}
