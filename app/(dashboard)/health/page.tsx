import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { HealthView } from "@/components/health/health-view";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function HealthPage() {
  const qc = getQueryClient();
  void qc.prefetchQuery(trpc.health.status.queryOptions());
  void qc.prefetchQuery(trpc.system.settings.queryOptions());
  return (
    <HydrateClient>
      <PageTitle
        title="Health"
        subtitle="Whether the local model server can take the local tiers' load, and what routing does when it cannot."
      />
      <Suspense fallback={<LoadingBlock label="health" />}>
        <HealthView />
      </Suspense>
    </HydrateClient>
  );
}
