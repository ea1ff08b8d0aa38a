// One agent's page: its turns, task types, key and pin.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { AgentView } from "@/components/fleet/agent-view";
import { LoadingBlock } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // AgentView reads it with useQuery: awaited, so the server renders the agent (trpc/server.tsx says why).
  await getQueryClient().prefetchQuery(trpc.fleet.agent.queryOptions({ id }));
  return (
    <HydrateClient>
      <Suspense fallback={<LoadingBlock label="the agent" />}>
        <AgentView id={id} />
      </Suspense>
    </HydrateClient>
  );
}
