// Whether a request comes from Offload's own pages (or from no page at all: the CLI, curl, an agent).
// Browsers say where a request comes from: Sec-Fetch-Site (same-origin, same-site, cross-site, none)
// and, on anything but a plain GET, Origin. A request that names another origin is refused; one that
// names none (not a browser, or a browser's own navigation) is let through to its credential check.
import "server-only";

/** Why the request is not from this site, or null when it is (or says nothing). */
export function crossSiteReason(headers: Headers): string | null {
  const site = headers.get("sec-fetch-site")?.trim().toLowerCase();
  if (site && site !== "same-origin" && site !== "none") return `a ${site} request (Sec-Fetch-Site: ${site})`;
  const origin = headers.get("origin");
  if (origin !== null) {
    let originHost: string | null;
    try {
      const url = new URL(origin);
      originHost = url.protocol === "http:" || url.protocol === "https:" ? url.host.toLowerCase() : null;
    } catch {
      originHost = null;
    }
    // Behind a reverse proxy the browser's host is the forwarded one, as Next's own server-action check reads it.
    const host = (headers.get("x-forwarded-host") ?? headers.get("host"))?.split(",")[0]?.trim().toLowerCase();
    if (!originHost || !host || !sameHost(originHost, host)) return `a request from another origin (Origin: ${origin})`;
  }
  return null;
}

/** host[:port] equality, where a missing port and the scheme's default port are the same. */
function sameHost(a: string, b: string): boolean {
  const strip = (h: string) => h.replace(/:(80|443)$/, "");
  return strip(a) === strip(b);
}
