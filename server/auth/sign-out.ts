// POST /logout: ends the dashboard session (its row is revoked, so the cookie no longer works even
// if it was copied) and clears the cookie, then sends the browser to the login page. Refused from
// another site, so that no page elsewhere can sign the operator out.
import "server-only";
import { getDb } from "@/server/db/instance";
import { cookieValue } from "./admin-auth";
import { isHttpsRequest, revokeAdminSession } from "./admin-session";
import { crossSiteReason } from "./same-origin";
import { LEGACY_ADMIN_COOKIE, SESSION_COOKIE } from "./session-cookie";

export async function handleSignOut(request: Request): Promise<Response> {
  const crossSite = crossSiteReason(request.headers);
  if (crossSite)
    return Response.json(
      { type: "error", error: { type: "permission_error", message: `sign-out refuses ${crossSite}` } },
      { status: 403 },
    );
  const session = cookieValue(request.headers, SESSION_COOKIE);
  if (session) await revokeAdminSession(await getDb(), session);
  const secure = isHttpsRequest(request.headers, request.url) ? "; Secure" : "";
  const headers = new Headers({ location: "/login", "cache-control": "no-store" });
  headers.append(
    "set-cookie",
    `${SESSION_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Strict${secure}`,
  );
  headers.append("set-cookie", `${LEGACY_ADMIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
  return new Response(null, { status: 303, headers });
}
