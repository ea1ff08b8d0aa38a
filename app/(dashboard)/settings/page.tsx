// The Settings page: the operator's settings by section, model mappings, and the audited changes with undo.
import { Suspense } from "react";
import { HydrateClient, getQueryClient, trpc } from "@/trpc/server";
import { SettingsView } from "@/components/settings/settings-view";
import { CHANGES_LIMIT } from "@/components/settings/setting-fields";
import { LoadingBlock, PageTitle } from "@/components/ui";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const queryClient = getQueryClient();
  void queryClient.prefetchQuery(trpc.system.settings.queryOptions());
  void queryClient.prefetchQuery(trpc.system.info.queryOptions());
  void queryClient.prefetchQuery(trpc.system.settingChanges.queryOptions({ limit: CHANGES_LIMIT }));
  void queryClient.prefetchQuery(trpc.models.mappings.queryOptions());
  void queryClient.prefetchQuery(trpc.agents.list.queryOptions());
  void queryClient.prefetchQuery(trpc.taskTypes.list.queryOptions());
  void queryClient.prefetchQuery(trpc.system.retention.queryOptions());
  return (
    <HydrateClient>
      <PageTitle
        title="Settings"
        subtitle={
          <>
            How Offload runs the local model, routes turns and prices local work. Each section saves on its own; every
            change is audited and can be undone. The same settings from a terminal:{" "}
            <code className="whitespace-nowrap">offload settings</code>.
          </>
        }
      />
      <Suspense fallback={<LoadingBlock label="the settings" />}>
        <SettingsView />
      </Suspense>
    </HydrateClient>
  );
}
