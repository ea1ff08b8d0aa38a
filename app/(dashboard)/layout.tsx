// The dashboard's frame: the app shell (navigation, the health badge, the fleet budget alert) around
// every page, with the badge's and the budgets' queries prefetched and awaited, so the server renders
// from the data the browser hydrates with (the budgets are also read by the Fleet and agent pages: a
// fetch racing the hydration there gave React's hydration mismatch, #418).
import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { env } from "@/server/process/env";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const healthStatus = trpc.health.status.queryOptions();
  const budgets = trpc.agents.budgets.queryOptions();
  await Promise.all([getQueryClient().prefetchQuery(healthStatus), getQueryClient().prefetchQuery(budgets)]);
  return (
    <HydrateClient queryKeys={[healthStatus.queryKey, budgets.queryKey]}>
      <AppShell signOut={!!env().OFFLOAD_ADMIN_TOKEN}>{children}</AppShell>
    </HydrateClient>
  );
}
