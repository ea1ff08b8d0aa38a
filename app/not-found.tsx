// The answer to a path that is no page. Rendered per request (not prerendered at build), so that its
// scripts carry the request's CSP nonce like every other page's (proxy.ts).
import Link from "next/link";
import { connection } from "next/server";

export default async function NotFound() {
  await connection();
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-4">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-300">There is no page at this address.</p>
      <Link href="/" className="text-sm underline">
        Back to the fleet
      </Link>
    </main>
  );
}
