// The Tasks page: the task queue by lane and status, throughput, failures, and the tasks themselves,
// with the operator's Re-queue, Cancel and Queue a task.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { TasksView } from "@/components/tasks/tasks-view";
import { overviewInput, readTasksFilters } from "@/components/tasks/tasks-inputs";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function TasksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const filters = readTasksFilters(await searchParams);
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.taskTypes.list.queryOptions());
  void queryClient.prefetchQuery(trpc.agents.list.queryOptions());
  // The overview is read with useQuery (it keeps showing while a filter changes): awaited (trpc/server.tsx says why).
  await queryClient.prefetchQuery(trpc.tasks.overview.queryOptions(overviewInput(filters)));
  return (
    <HydrateClient>
      <PageTitle
        title="Tasks"
        subtitle="The task queue: what agents and the operator queued, the lane each was routed to, who claimed it and how it ended. Sidecar tasks run as scripts, with no model."
      />
      <Suspense fallback={<LoadingBlock label="the tasks" />}>
        <TasksView initial={filters} />
      </Suspense>
    </HydrateClient>
  );
}
