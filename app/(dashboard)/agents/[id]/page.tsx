import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/server/api/rsc";
import { AgentView } from "@/components/fleet/agent-view";
import { LoadingBlock } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  void getQueryClient().prefetchQuery(trpc.fleet.agent.queryOptions({ id }));
  return (
    <HydrateClient>
      <Suspense fallback={<LoadingBlock label="the agent" />}>
        <AgentView id={id} />
      </Suspense>
    </HydrateClient>
  );
}
