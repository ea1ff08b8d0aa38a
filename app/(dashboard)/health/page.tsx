// The Health page: whether Ollama can take the local tiers' load, its history and recent errors, and
// what the local context costs in GPU memory (with the context planner).
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { HealthView } from "@/components/health/health-view";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function HealthPage() {
  const qc = getQueryClient();
  void qc.prefetchQuery(trpc.health.status.queryOptions());
  void qc.prefetchQuery(trpc.system.settings.queryOptions());
  void qc.prefetchQuery(trpc.health.localContext.queryOptions());
  void qc.prefetchQuery(trpc.health.contextPlan.queryOptions());
  void qc.prefetchQuery(trpc.health.metering.queryOptions());
  // HealthView reads the history and the recent errors with useQuery: awaited (trpc/server.tsx says why).
  await Promise.all([
    qc.prefetchQuery(trpc.health.history.queryOptions({ hours: 6 })),
    qc.prefetchQuery(trpc.health.recentErrors.queryOptions()),
  ]);
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
