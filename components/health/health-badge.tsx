"use client";
// The compact health badge in the app shell: Ollama's current verdict, a link to the Health page.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { STATUS_DOT } from "./status-pill";

export function HealthBadge() {
  const trpc = useTRPC();
  const { data, isError } = useQuery({ ...trpc.health.status.queryOptions(), refetchInterval: 15_000, retry: false });
  const label = isError ? "unknown" : (data?.status ?? "…");
  return (
    <Link
      href="/health"
      data-testid="health-badge"
      title={data?.reasons.join("; ") || undefined}
      className="ml-auto flex items-center gap-2 rounded-full border border-zinc-200 px-3 py-1 text-xs dark:border-zinc-700"
    >
      <span
        aria-hidden
        className={`inline-block h-2 w-2 rounded-full ${data && !isError ? STATUS_DOT[data.status] : "bg-zinc-400"}`}
      />
      Ollama {label}
    </Link>
  );
}
