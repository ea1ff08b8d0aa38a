// The hosts the HTTP actions may reach (`--allow-host`, repeatable): `host` allows every port of
// that host, `host:port` that port only (a URL without a port has its scheme's: 80 or 443). Names
// are compared as URLs spell them (lower case, IPv6 in brackets), exactly: a subdomain is another host.
export type AllowedHost = { host: string; port: number | null };

/** One `--allow-host` value, or null when it is not `host` or `host:port` (no scheme, path or user). */
export function parseAllowHost(entry: string): AllowedHost | null {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
  if (!m) return null;
  let host: string;
  try {
    host = new URL(`http://${m[1]}/`).hostname;
  } catch {
    return null;
  }
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  return { host, port };
}

/** Whether `url` (http or https) goes to a host the list allows. */
export function isHostAllowed(url: URL, allowed: readonly AllowedHost[]): boolean {
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return allowed.some((a) => a.host === url.hostname && (a.port === null || a.port === port));
}
