import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { HealthSummary } from "@/components/observations/health-summary";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function HealthPage() {
  const qc = getQueryClient();
  void qc.prefetchQuery(trpc.observations.latestHealth.queryOptions());
  void qc.prefetchQuery(trpc.system.info.queryOptions());
  return (
    <HydrateClient>
      <PageTitle title="Health" subtitle="Whether the local model server can take the local tiers' load." />
      <Suspense fallback={<LoadingBlock label="health" />}>
        <HealthSummary />
      </Suspense>
    </HydrateClient>
  );
}
