import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext, refuseUnsafeTrpcRequest, trpcResponseMeta } from "@/server/api/trpc";

const handler = async (req: Request) =>
  refuseUnsafeTrpcRequest(req) ??
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    responseMeta: trpcResponseMeta,
  });

export { handler as GET, handler as POST };
