import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { DailyCostTable } from "@/components/costs/daily-cost-table";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function CostsPage() {
  void getQueryClient().prefetchQuery(trpc.fleet.dailyTotals.queryOptions({ days: 30 }));
  return (
    <HydrateClient>
      <PageTitle title="Costs" subtitle="What the fleet spent each day, against what the same turns would have cost on Claude alone (UTC days)." />
      <Suspense fallback={<LoadingBlock label="costs" />}>
        <DailyCostTable days={30} />
      </Suspense>
    </HydrateClient>
  );
}
