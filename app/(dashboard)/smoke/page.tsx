import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { SmokeRunList } from "@/components/observations/smoke-run-list";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function SmokePage() {
  void getQueryClient().prefetchQuery(trpc.observations.smokeRuns.queryOptions());
  return (
    <HydrateClient>
      <PageTitle title="Smoke runs" subtitle="The same trivial agent tasks, graded, on the local model and on Claude." />
      <Suspense fallback={<LoadingBlock label="smoke runs" />}>
        <SmokeRunList />
      </Suspense>
    </HydrateClient>
  );
}
