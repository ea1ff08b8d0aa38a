// The local lanes' client: the official `ollama` package against OLLAMA_HOST. One client per
// request, so that a request's timeout or a disconnected agent aborts that request alone.
import { Ollama } from "ollama";
import { readEnv } from "@/server/env";

export function ollamaClient(signal?: AbortSignal): Ollama {
  const host = readEnv().OLLAMA_HOST;
  return new Ollama({ host, fetch: signal ? (input, init) => fetch(input, { ...init, signal }) : fetch });
}
