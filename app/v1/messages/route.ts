import { handleMessages } from "@/server/gateway/handle-messages";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => handleMessages(request);
