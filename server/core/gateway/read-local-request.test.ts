// What a local lane can be given faithfully, and the reason recorded when it cannot.
import { describe, expect, it } from "vitest";
import { readLocalRequest } from "./read-local-request";
import type { MessagesRequest } from "./messages-request";

const base = (over: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: "claude-opus-4-6",
  max_tokens: 64,
  messages: [{ role: "user", content: "hi" }],
  ...over,
});

describe("readLocalRequest", () => {
  it("takes what the translation represents: text, base64 images, tools, tool results, thinking", () => {
    const r = readLocalRequest(
      base({
        system: [{ type: "text", text: "you are loash", cache_control: { type: "ephemeral" } }],
        tools: [{ name: "exec", input_schema: { type: "object" } }],
        thinking: { type: "disabled" },
        context_management: { edits: [] },
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AA" } }],
          },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hm", signature: "s" },
              { type: "redacted_thinking", data: "xx" },
              { type: "tool_use", id: "t1", name: "exec", input: { command: "ls" } },
            ],
          },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }] }],
          },
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.request.messages[1]!.content).toHaveLength(2); // redacted thinking left out
  });

  it.each([
    [
      {
        messages: [
          { role: "user", content: "a" },
          { role: "system", content: "b" },
        ],
      },
      'messages.1.role is "system"',
    ],
    [
      { messages: [{ role: "user", content: [{ type: "document", source: {} }] }] },
      'messages.0.content.0.type is "document"',
    ],
    [
      { messages: [{ role: "assistant", content: [{ type: "server_tool_use" }] }] },
      'messages.0.content.0.type is "server_tool_use"',
    ],
    [
      { messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x" } }] }] },
      "messages.0.content.0 is an image that is not inline base64",
    ],
    [
      { tools: [{ type: "web_search_20250305", name: "web_search" }] },
      "tools.0 is a server tool (web_search_20250305)",
    ],
    [{ system: [{ type: "image" }] }, "system.0 is not a text block"],
    [{ messages: [] }, "messages is empty"],
    [{ mcp_servers: [{ url: "https://x" }] }, "mcp_servers needs Anthropic's servers"],
  ])("sends %j to Claude: %s", (over, problem) => {
    expect(readLocalRequest(base(over as Partial<MessagesRequest>))).toEqual({ ok: false, problem });
  });
});
