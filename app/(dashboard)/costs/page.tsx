// The Costs page: daily spend against all-Claude, the projection for a fleet shape, and a flag for unpriced models.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { CostsView } from "@/components/costs/costs-view";
import { ProjectionPanel } from "@/components/costs/projection-panel";
import { UnpricedModels } from "@/components/costs/unpriced-models";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function CostsPage() {
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.system.settings.queryOptions());
  void queryClient.prefetchQuery(trpc.fleet.measuredProjection.queryOptions());
  void queryClient.prefetchQuery(trpc.models.unpriced.queryOptions());
  void queryClient.prefetchQuery(trpc.system.retention.queryOptions());
  // CostsView reads its range with useQuery: awaited (trpc/server.tsx says why).
  await queryClient.prefetchQuery(trpc.fleet.costs.queryOptions({ days: 30 }));
  return (
    <HydrateClient>
      <PageTitle
        title="Costs"
        subtitle="What the fleet spent each day, against what the same turns would have cost on Claude alone (UTC days)."
      />
      <Suspense fallback={null}>
        <UnpricedModels />
      </Suspense>
      <div className="space-y-8">
        <Suspense fallback={<LoadingBlock label="the projection" />}>
          <ProjectionPanel />
        </Suspense>
        <CostsView />
      </div>
    </HydrateClient>
  );
}
