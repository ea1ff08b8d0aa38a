import { handleCompleteTask } from "@/server/tasks/handle-task-requests";

export const dynamic = "force-dynamic";

export const POST = async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  handleCompleteTask(request, (await params).id);
