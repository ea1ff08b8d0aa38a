// Test helper: what a capable model answers to each smoke task, recognised by its prompt.
import { SMOKE_SUITE } from "@/server/core/smoke/suite";

const TOOLS_MD_AFTER = SMOKE_SUITE.find((t) => t.id === "tools-md-update")!.files!["TOOLS.md"]!.replace(
  "| exec | timeout | 30 |",
  "| exec | timeout | 60 |",
);

/** What a capable model answers to each task, recognised by its prompt. */
export function goodAnswer(prompt: string): {
  content?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
} {
  if (prompt.includes("Inbox: 0 unread")) return { content: "HEARTBEAT_OK" };
  if (prompt.includes("Inbox: 3 unread")) return { content: "INBOX 3" };
  if (prompt.includes("/api/mailbox/next"))
    return {
      content: '{"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"high","needsReply":true}',
    };
  if (prompt.includes("/api/queue")) return { content: '{"pending":3,"oldestPendingId":"t-27"}' };
  if (prompt.includes("working tree clean"))
    return { toolCalls: [{ name: "exec", arguments: { command: "git status --porcelain" } }] };
  if (prompt.includes("test suite")) return { toolCalls: [{ name: "exec", arguments: { command: "npm test" } }] };
  if (prompt.includes("Write 42 to test.txt"))
    return { toolCalls: [{ name: "write_file", arguments: { path: "test.txt", content: "42" } }] };
  if (prompt.includes("Set the exec timeout to 60"))
    return { toolCalls: [{ name: "write_file", arguments: { path: "TOOLS.md", content: TOOLS_MD_AFTER } }] };
  if (prompt.includes("Tell Loash"))
    return {
      toolCalls: [
        {
          name: "send_message",
          arguments: { to: "loash", text: "Please rebase feature/search onto main before the review." },
        },
      ],
    };
  if (prompt.includes("branch convention")) return { content: "fix/login-timeout" };
  if (prompt.includes("Conventional Commits")) return { content: "docs: fix npm install typo in README" };
  return { content: "?" };
}
export const lastUser = (body: { messages: { role: string; content: unknown }[] }) =>
  String([...body.messages].reverse().find((m) => m.role === "user")?.content ?? "");
