// The Fleet page (/): every agent with its spend and local share, and a flag for unpriced models; both stream in.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { FleetView } from "@/components/fleet/fleet-view";
import { UnpricedModels } from "@/components/costs/unpriced-models";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function FleetPage() {
  void getQueryClient().prefetchQuery(trpc.fleet.overview.queryOptions());
  void getQueryClient().prefetchQuery(trpc.models.unpriced.queryOptions());
  return (
    <HydrateClient>
      <PageTitle
        title="Fleet"
        subtitle="Every agent, what it spent today and over the last 7 days, and how much of its work ran locally."
      />
      <Suspense fallback={null}>
        <UnpricedModels />
      </Suspense>
      <Suspense fallback={<LoadingBlock label="the fleet" />}>
        <FleetView />
      </Suspense>
    </HydrateClient>
  );
}
