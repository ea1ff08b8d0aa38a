import { handleHealthRequest } from "@/server/health/handle-health-request";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleHealthRequest(request);
