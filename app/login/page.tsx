import { redirect } from "next/navigation";
import { env } from "@/server/process/env";
import { afterSignIn } from "@/server/auth/sign-in";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = afterSignIn(Array.isArray(next) ? next[0] : next);
  // Nothing to sign in to without an admin token.
  if (!env().OFFLOAD_ADMIN_TOKEN) redirect(target);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <LoginForm next={target} />
    </main>
  );
}
