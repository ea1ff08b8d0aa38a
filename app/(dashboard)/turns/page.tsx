// The Turns page: recurring turns (the same instruction again and again) with the operator's rules for
// them, and the fleet's recent turns with why each went where it did.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { TurnsView } from "@/components/turns/turns-view";
import { readTurnsFilters, recentTurnsInput, recurringTurnsInput } from "@/components/turns/turns-inputs";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function TurnsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const filters = readTurnsFilters(await searchParams);
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.taskTypes.list.queryOptions());
  void queryClient.prefetchQuery(trpc.agents.list.queryOptions());
  void queryClient.prefetchQuery(trpc.system.retention.queryOptions());
  // The two lists are read with useQuery (they keep showing while a filter changes): awaited
  // (trpc/server.tsx says why).
  await Promise.all([
    queryClient.prefetchQuery(trpc.turns.recurring.queryOptions(recurringTurnsInput(filters.sort))),
    queryClient.prefetchQuery(trpc.turns.recent.queryOptions(recentTurnsInput(filters))),
  ]);
  return (
    <HydrateClient>
      <PageTitle
        title="Turns"
        subtitle="What the agents asked, where each turn went and why. Give a recurring instruction a task type and every matching turn follows that task type's lane."
      />
      <Suspense fallback={<LoadingBlock label="the turns" />}>
        <TurnsView initial={filters} />
      </Suspense>
    </HydrateClient>
  );
}
