// Which headers a transparent proxy passes on: all but the hop-by-hop ones (RFC 9110 7.6.1, and any
// the Connection header names), the ones the new connection sets for itself (Host, Content-Length,
// Expect) and, on the way in, the client's own credential, which the operator's key replaces.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
]);

const NOT_FORWARDED_UP = new Set([...HOP_BY_HOP, "host", "content-length", "expect", "x-api-key", "authorization"]);

function listedIn(connection: string | null | undefined): Set<string> {
  if (!connection) return new Set();
  return new Set(
    connection
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The client's headers as they go to Anthropic: credential swapped, anthropic-version only added when missing. */
export function forwardRequestHeaders(client: Headers, apiKey: string): Record<string, string> {
  const listed = listedIn(client.get("connection"));
  const out: Record<string, string> = {};
  client.forEach((value, name) => {
    if (!NOT_FORWARDED_UP.has(name) && !listed.has(name)) out[name] = value;
  });
  out["x-api-key"] = apiKey;
  out["anthropic-version"] ??= "2023-06-01";
  return out;
}

/** Anthropic's answer headers as they go back to the client (undici's raw object: arrays for repeated names). */
export function forwardResponseHeaders(upstream: Record<string, string | string[] | undefined>): Headers {
  const connection = upstream.connection;
  const listed = listedIn(Array.isArray(connection) ? connection.join(",") : connection);
  const out = new Headers();
  for (const [name, value] of Object.entries(upstream)) {
    const key = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(key) || listed.has(key)) continue;
    if (Array.isArray(value)) for (const v of value) out.append(key, v);
    else out.set(key, value);
  }
  return out;
}
