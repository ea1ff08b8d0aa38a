import { handleCountTokens } from "@/server/gateway/handle-count-tokens";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleCountTokens(request);
