// The Tiers page: the lane board with the tray of recurring turns without a rule, agent pins, model
// mappings and recent changes.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { TierBoard } from "@/components/tiers/tier-board";
import { TRAY_INPUT } from "@/components/turns/turns-inputs";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function TiersPage() {
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.tiers.board.queryOptions());
  void queryClient.prefetchQuery(trpc.models.mappings.queryOptions());
  // TierAudit and the tray of recurring turns read with useQuery: awaited (trpc/server.tsx says why).
  await Promise.all([
    queryClient.prefetchQuery(trpc.tiers.changes.queryOptions({ limit: 20 })),
    queryClient.prefetchQuery(trpc.turns.recurring.queryOptions(TRAY_INPUT)),
  ]);
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
