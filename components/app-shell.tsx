"use client";
// The dashboard's frame: the header with the navigation and the health badge, around each page.
import Image from "next/image";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { HealthBadge } from "@/components/health/health-badge";
import { BudgetAlert } from "@/components/fleet/budget-alert";

const NAV = [
  { href: "/", label: "Fleet" },
  { href: "/tiers", label: "Tiers" },
  { href: "/turns", label: "Turns" },
  { href: "/tasks", label: "Tasks" },
  { href: "/costs", label: "Costs" },
  { href: "/health", label: "Health" },
  { href: "/smoke", label: "Smoke" },
  { href: "/settings", label: "Settings" },
] as const;

/** `signOut`: show Sign out (the dashboard is behind OFFLOAD_ADMIN_TOKEN). */
export function AppShell({ children, signOut = false }: { children: ReactNode; signOut?: boolean }) {
  const pathname = usePathname();
  return (
    <div className="min-h-screen">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-8 gap-y-2 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            <Image src="/icon.svg" alt="" width={28} height={28} unoptimized priority />
            Offload
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-1 text-sm">
            {NAV.map((item) => {
              const active =
                item.href === "/" ? pathname === "/" || pathname.startsWith("/agents") : pathname.startsWith(item.href);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? "page" : undefined}
                  className={`rounded-md px-3 py-1.5 ${active ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : "text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"}`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <HealthBadge />
          {signOut ? (
            // A plain form: signing out works before the page's scripts load, and ends the session on the server.
            <form method="post" action="/logout">
              <button
                type="submit"
                className="rounded-md px-3 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
              >
                Sign out
              </button>
            </form>
          ) : null}
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <BudgetAlert />
        {children}
      </main>
    </div>
  );
}
