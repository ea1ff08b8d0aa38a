// The security headers of every answer. Pages get a Content-Security-Policy with a per-request
// nonce (proxy.ts makes it; Next.js puts it on its own scripts), everything else a policy that
// allows nothing, since a JSON or SSE answer has nothing to run. No "server-only": next.config.ts
// reads this file too.

/** On every answer: no MIME sniffing, no framing, no referrer to other sites. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

/** For answers that are not pages (the APIs, the agent endpoints). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The pages' policy: scripts only with this request's nonce ('strict-dynamic' lets Next's nonce'd
 * loader add its chunks), styles from this origin plus inline ones (React renders style attributes,
 * which a nonce cannot cover; styles cannot run code), images from here and data:/blob: URLs (chart
 * exports), connections to this origin only. `next dev` also needs eval and its websocket.
 */
export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
