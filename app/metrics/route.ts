import { handleMetrics } from "@/server/metrics/handle-metrics";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleMetrics(request);
