// Before every page (Next.js's proxy, in this server's process): the security headers, with a fresh
// nonce for the page's Content-Security-Policy (Next puts it on its own scripts), and, with
// OFFLOAD_ADMIN_TOKEN set, a live dashboard session (signed cookie, not expired, not revoked) or a
// redirect to the login page. The APIs check their own credentials (server/auth/admin-auth.ts).
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/process/env";
import { getDb } from "@/server/db/instance";
import { readAdminSession } from "@/server/auth/admin-session";
import { safeNextPath } from "@/server/auth/admin-auth";
import { LEGACY_ADMIN_COOKIE, SESSION_COOKIE } from "@/server/auth/session-cookie";
import { API_CSP, COMMON_SECURITY_HEADERS, pageCsp } from "@/server/auth/security-headers";

/** Pages anyone may open: signing in and out. */
function isPublic(pathname: string): boolean {
  return pathname === "/login" || pathname.startsWith("/login/") || pathname === "/logout";
}

function withSecurityHeaders(response: NextResponse, request: NextRequest, csp: string): NextResponse {
  for (const [key, value] of Object.entries(COMMON_SECURITY_HEADERS)) response.headers.set(key, value);
  response.headers.set("content-security-policy", csp);
  // Earlier versions kept the raw admin token in this cookie: remove it wherever it is still held.
  if (request.cookies.has(LEGACY_ADMIN_COOKIE)) response.cookies.delete(LEGACY_ADMIN_COOKIE);
  return response;
}

function toLogin(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const login = new URL("/login", request.url);
  login.searchParams.set("next", `${pathname}${search}`);
  // The session cookie is SameSite=Strict, so a link followed from another site arrives without it.
  // Open such a visit again from this origin (a same-origin navigation, which carries the cookie); a
  // visitor without a session then comes back same-origin and goes to the login page.
  if (request.headers.get("sec-fetch-site") === "cross-site" && request.headers.get("sec-fetch-mode") === "navigate") {
    const again = safeNextPath(`${pathname}${search}`).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
    const html = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${again}"><title>Offload</title>`;
    return withSecurityHeaders(
      new NextResponse(html, {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      }),
      request,
      API_CSP,
    );
  }
  return withSecurityHeaders(NextResponse.redirect(login, 307), request, API_CSP);
}

export async function proxy(request: NextRequest) {
  // Not a page: its headers come from next.config.ts.
  if (request.nextUrl.pathname === "/logout") return NextResponse.next();
  if (env().OFFLOAD_ADMIN_TOKEN && !isPublic(request.nextUrl.pathname)) {
    const session = await readAdminSession(await getDb(), request.cookies.get(SESSION_COOKIE)?.value);
    if (!session) return toLogin(request);
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development");
  // Next reads the nonce from the request's Content-Security-Policy header while it renders.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-nonce", nonce);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), request, csp);
}

export const config = {
  // Pages only: the APIs, the agent endpoints and /metrics answer for themselves, static files need neither.
  matcher: ["/((?!api/|v1/|metrics$|_next/static/|_next/image|favicon.ico|icon.svg|logo.svg).*)"],
};
