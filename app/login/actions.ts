"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/server/db/instance";
import { signInWithToken } from "@/server/auth/sign-in";
import { isHttpsRequest, sessionCookieOptions } from "@/server/auth/admin-session";
import { LEGACY_ADMIN_COOKIE, SESSION_COOKIE } from "@/server/auth/session-cookie";

export async function signIn(_prev: { error: string | null }, form: FormData): Promise<{ error: string | null }> {
  const requestHeaders = await headers();
  const result = await signInWithToken(await getDb(), {
    token: String(form.get("token") ?? ""),
    next: form.get("next"),
    userAgent: requestHeaders.get("user-agent"),
  });
  if (result.kind === "wrong-token" || result.kind === "locked-out") return { error: result.message };
  if (result.kind === "signed-in") {
    const jar = await cookies();
    jar.set(SESSION_COOKIE, result.session.cookie, {
      ...sessionCookieOptions(result.session.expiresAt, isHttpsRequest(requestHeaders)),
    });
    jar.delete(LEGACY_ADMIN_COOKIE);
  }
  redirect(result.next);
}
