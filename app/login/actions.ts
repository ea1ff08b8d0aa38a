"use server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ADMIN_COOKIE, isValidAdminToken } from "@/server/auth/admin-auth";

export async function signIn(_prev: { error: string | null }, form: FormData): Promise<{ error: string | null }> {
  const token = String(form.get("token") ?? "");
  const next = String(form.get("next") ?? "/");
  if (!isValidAdminToken(token)) return { error: "That is not the admin token (OFFLOAD_ADMIN_TOKEN)." };
  (await cookies()).set(ADMIN_COOKIE, token, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 60 * 60 * 24 * 30 });
  redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/");
}
