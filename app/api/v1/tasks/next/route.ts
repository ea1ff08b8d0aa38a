import { handleClaimNextTask } from "@/server/tasks/handle-task-requests";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleClaimNextTask(request);
