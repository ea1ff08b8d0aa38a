import { handleRouteRequest } from "@/server/routing/handle-route-request";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleRouteRequest(request);
