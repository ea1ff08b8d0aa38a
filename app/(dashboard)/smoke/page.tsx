// The Smoke page: smoke runs, those in progress, and the comparison it opens with.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { SmokeView } from "@/components/smoke/smoke-view";
import { LoadingBlock, PageTitle } from "@/components/ui";
import { defaultSmokeSelection, isLiveRun } from "@/server/core/smoke/compare-runs";

export const dynamic = "force-dynamic";

export default async function SmokePage() {
  const qc = getQueryClient();
  void qc.prefetchQuery(trpc.smoke.options.queryOptions());
  // The comparison the page opens with needs the runs first.
  const runs = await qc.fetchQuery(trpc.smoke.runs.queryOptions()).catch(() => null);
  const ids = runs ? defaultSmokeSelection(runs) : [];
  if (ids.length) void qc.prefetchQuery(trpc.smoke.compare.queryOptions({ ids }));
  // A run in progress shows its progress, read with useQuery: awaited (trpc/server.tsx says why).
  const live = (runs ?? []).filter((run) => isLiveRun(run.status));
  await Promise.all(live.map((run) => qc.prefetchQuery(trpc.smoke.run.queryOptions({ id: run.id }))));
  return (
    <HydrateClient>
      <PageTitle
        title="Smoke runs"
        subtitle="The same trivial agent tasks, graded by deterministic checks, on the local model and on Claude: evidence before moving work between tiers."
      />
      <Suspense fallback={<LoadingBlock label="smoke runs" />}>
        <SmokeView />
      </Suspense>
    </HydrateClient>
  );
}
