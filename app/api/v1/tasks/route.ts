import { handleQueueTask } from "@/server/tasks/handle-task-requests";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleQueueTask(request);
