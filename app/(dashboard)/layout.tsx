// The dashboard's frame: the app shell (navigation and the health badge) around every page, with the
// badge's query prefetched and awaited, so the server renders the shell from data rather than fetching.
import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { env } from "@/server/process/env";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const healthStatus = trpc.health.status.queryOptions();
  await getQueryClient().prefetchQuery(healthStatus);
  return (
    <HydrateClient queryKeys={[healthStatus.queryKey]}>
      <AppShell signOut={!!env().OFFLOAD_ADMIN_TOKEN}>{children}</AppShell>
    </HydrateClient>
  );
}
