import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { SmokeView } from "@/components/smoke/smoke-view";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function SmokePage() {
  const qc = getQueryClient();
  void qc.prefetchQuery(trpc.smoke.runs.queryOptions());
  void qc.prefetchQuery(trpc.smoke.options.queryOptions());
  return (
    <HydrateClient>
      <PageTitle title="Smoke runs" subtitle="The same trivial agent tasks, graded by deterministic checks, on the local model and on Claude: evidence before moving work between tiers." />
      <Suspense fallback={<LoadingBlock label="smoke runs" />}>
        <SmokeView />
      </Suspense>
    </HydrateClient>
  );
}
