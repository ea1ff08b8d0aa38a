// tRPC for React Server Components: pages and layouts prefetch into a per-request QueryClient by
// calling the router in process (no HTTP), and HydrateClient hands that cache to the client components
// below it, which then render on the server from it (they never fetch there, trpc/react.tsx).
//
// Every query a client component reads while rendered on the server must be prefetched:
// - read with useSuspenseQuery: `void getQueryClient().prefetchQuery(...)` is enough, the data streams
//   in and the component suspends on it, on the server and in the browser alike;
// - read with useQuery: `await` the prefetch, so the server's HTML and the browser's first render
//   both have the data (a still-pending query can be loading on one side and resolved on the other,
//   a hydration mismatch).
import "server-only";
import { dehydrate, hashKey, HydrationBoundary, type QueryKey } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { makeQueryClient } from "./query-client";

/** The request's QueryClient: the same one for the layouts and the page of one request. */
export const getQueryClient = cache(makeQueryClient);

const createContext = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

/**
 * Hands the request's prefetched queries to the client components inside. A layout passes `queryKeys`,
 * the queries it prefetched: the page's own queries, rendered at the same time, may still be loading
 * and belong to the page's HydrateClient (hydrated in the layout's, a query the page awaited would
 * arrive pending).
 */
export function HydrateClient({ children, queryKeys }: { children: ReactNode; queryKeys?: readonly QueryKey[] }) {
  const queryClient = getQueryClient();
  const only = queryKeys ? new Set(queryKeys.map((key) => hashKey(key))) : null;
  const shouldDehydrate = queryClient.getDefaultOptions().dehydrate?.shouldDehydrateQuery;
  const state = dehydrate(
    queryClient,
    only
      ? { shouldDehydrateQuery: (query) => only.has(query.queryHash) && (shouldDehydrate?.(query) ?? true) }
      : undefined,
  );
  return <HydrationBoundary state={state}>{children}</HydrationBoundary>;
}
