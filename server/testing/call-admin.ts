// Test helper: one tRPC procedure of a started server, called over HTTP as the CLI or a script
// would (superjson's `{json}` envelope), with the admin token given or, on an embedded install,
// the local credential the server left in its data folder. Throws with the answer on a non-200.
import fs from "node:fs";
import path from "node:path";
import type { StartedServer } from "./start-server";

export async function callAdmin<T>(
  server: StartedServer,
  procedure: string,
  input: unknown,
  options: { query?: boolean; token?: string } = {},
): Promise<T> {
  const token =
    options.token ??
    (JSON.parse(fs.readFileSync(path.join(server.dataDir, "server.json"), "utf8")) as { token: string }).token;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const body = JSON.stringify({ json: input });
  const res = options.query
    ? await fetch(`${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(body)}`, { headers })
    : await fetch(`${server.url}/api/trpc/${procedure}`, { method: "POST", headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${procedure}: ${res.status} ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}
