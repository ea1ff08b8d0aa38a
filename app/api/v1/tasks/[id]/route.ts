import { handleReadTask } from "@/server/tasks/handle-task-requests";

export const dynamic = "force-dynamic";

export const GET = async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  handleReadTask(request, (await params).id);
