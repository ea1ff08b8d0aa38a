import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext, readTrpcBody, refuseUnsafeTrpcRequest, trpcResponseMeta } from "@/server/api/trpc";

const handler = async (original: Request) => {
  const refused = refuseUnsafeTrpcRequest(original);
  if (refused) return refused;
  const req = await readTrpcBody(original);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    responseMeta: trpcResponseMeta,
  });
};

export { handler as GET, handler as POST };
