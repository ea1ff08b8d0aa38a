// node:http's own refusals (a request it cannot parse, headers over its limit, a request that took
// too long) carry an empty body by default; agents' SDKs then report "unknown error". This handler
// of the server's `clientError` event answers them in Anthropic's error shape, with the x-offload-*
// headers every answer carries, and closes the connection (the stream cannot be trusted past a
// parse error). Wire it with `server.on("clientError", handleClientError)`.
import type { Duplex } from "node:stream";
import { offloadHeaders } from "@/server/core/gateway/offload-headers";

type ClientError = Error & { code?: string };

/** Status, reason phrase and message for a parse error's code (llhttp's HPE_* and Node's own). */
function describe(err: ClientError): { status: number; phrase: string; message: string } {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        phrase: "Request Header Fields Too Large",
        message: "the request's headers are too large",
      };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { status: 413, phrase: "Payload Too Large", message: "the request's chunk extensions are too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, phrase: "Request Timeout", message: "the request took too long to arrive" };
    default: {
      // llhttp's reason, e.g. "Invalid method encountered" or "Missing expected CR after header value".
      const reason = /^Parse Error: (.*)$/.exec(err.message)?.[1] ?? err.code ?? "malformed request";
      return { status: 400, phrase: "Bad Request", message: `malformed HTTP request: ${reason}` };
    }
  }
}

/** The `clientError` listener: a JSON answer in Anthropic's shape when the socket can still take one, then close. */
export function handleClientError(err: ClientError, socket: Duplex): void {
  // The client went away (or is going): nothing to answer.
  if (err.code === "ECONNRESET" || err.code === "EPIPE" || !socket.writable) {
    socket.destroy();
    return;
  }
  // An answer already on its way on this socket: a second one would corrupt it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, phrase, message } = describe(err);
  const body = JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } });
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...offloadHeaders({ lane: "none", model: "none", reason: message }),
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${status} ${phrase}\r\n${head}\r\n${body}`, () => socket.destroy());
  // A client that never reads does not hold the socket open.
  setTimeout(() => socket.destroy(), 5_000).unref();
}
