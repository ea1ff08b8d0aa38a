// The Tiers page: the lane board, agent pins, model mappings and recent changes.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { TierBoard } from "@/components/tiers/tier-board";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function TiersPage() {
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.tiers.board.queryOptions());
  void queryClient.prefetchQuery(trpc.models.mappings.queryOptions());
  // TierAudit reads the changes with useQuery: awaited (trpc/server.tsx says why).
  await queryClient.prefetchQuery(trpc.tiers.changes.queryOptions({ limit: 20 }));
  return (
    <HydrateClient>
      <PageTitle
        title="Tiers"
        subtitle="Which lane serves each task type: no model, the local model, the local model with a check, or Claude. Drag a card to move its work; routing follows at once."
      />
      <Suspense fallback={<LoadingBlock label="the tiers" />}>
        <TierBoard />
      </Suspense>
    </HydrateClient>
  );
}
