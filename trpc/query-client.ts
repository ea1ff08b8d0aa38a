// The QueryClient factory, shared by the browser (one client per tab, trpc/react.tsx) and the server
// (one client per request, trpc/server.tsx): superjson on the wire, and pending queries dehydrated
// too so that a server prefetch still loading streams to the client instead of being fetched again.
import { defaultShouldDehydrateQuery, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000 },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
