import { checkHealth } from "@/server/health/check-app-health";

export const dynamic = "force-dynamic";

export async function GET() {
  const report = await checkHealth();
  return Response.json(report.body, { status: report.status, headers: { "cache-control": "no-store" } });
}
