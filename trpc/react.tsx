"use client";
// The tRPC client for React: the provider around the app and the `useTRPC` hook components query with.
// In the browser queries go over HTTP to /api/trpc (an absolute URL built from the page's origin). While
// a client component is rendered on the server nothing is fetched over HTTP: every query it reads must
// have been prefetched by its page or layout (trpc/server.tsx), and one that was not fails with an error
// naming it, instead of fetching a relative URL the server cannot resolve.
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { makeQueryClient } from "./query-client";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

const isServer = typeof window === "undefined";

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  // On the server: a new client per request (this runs once per render of the provider).
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

/** The link used while rendering on the server: refuses, naming the query that should have been prefetched. */
const notPrefetchedLink: TRPCLink<AppRouter> = () => {
  return ({ op }) =>
    observable((observer) => {
      observer.error(
        TRPCClientError.from(
          new Error(
            `${op.path} was not prefetched: server rendering does not fetch over HTTP; ` +
              `prefetch it in the page or layout (trpc/server.tsx)`,
          ),
        ),
      );
    });
};

function createLinks(): TRPCLink<AppRouter>[] {
  if (isServer) return [notPrefetchedLink];
  return [httpBatchLink({ url: new URL("/api/trpc", window.location.origin).href, transformer: superjson })];
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({ links: createLinks() }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
