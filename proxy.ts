// With OFFLOAD_ADMIN_TOKEN set, dashboard pages need the login cookie; APIs check their own credentials.
import { NextResponse, type NextRequest } from "next/server";

export function proxy(request: NextRequest) {
  const token = process.env.OFFLOAD_ADMIN_TOKEN?.trim();
  if (!token) return NextResponse.next();
  if (request.cookies.get("offload_admin")?.value === token) return NextResponse.next();
  const login = new URL("/login", request.url);
  login.searchParams.set("next", request.nextUrl.pathname);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!api/|v1/|login|_next/|favicon.ico|icon.svg|logo.svg).*)"],
};
