import { handleReportTurns } from "@/server/turns/report-turns";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleReportTurns(request);
