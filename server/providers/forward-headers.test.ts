// Which headers the transparent Claude lane passes on, each way.
import { describe, expect, it } from "vitest";
import { forwardRequestHeaders, forwardResponseHeaders } from "./forward-headers";

describe("forwardRequestHeaders", () => {
  it("passes every header but hop-by-hop ones, Host, Content-Length and the client's credential", () => {
    const client = new Headers({
      host: "offload:3000",
      "content-length": "99",
      connection: "keep-alive, x-hop",
      "keep-alive": "timeout=5",
      "x-hop": "1",
      te: "trailers",
      "transfer-encoding": "chunked",
      "proxy-authorization": "Basic x",
      "x-api-key": "ofk_agent",
      authorization: "Bearer ofk_agent",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
      "x-app": "cli",
      "user-agent": "claude-cli/2.1.197",
      "x-claude-code-session-id": "s-1",
      "accept-encoding": "gzip, br",
      "content-type": "application/json",
    });
    expect(forwardRequestHeaders(client, "sk-operator")).toEqual({
      "accept-encoding": "gzip, br",
      "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      "user-agent": "claude-cli/2.1.197",
      "x-app": "cli",
      "x-claude-code-session-id": "s-1",
      "x-api-key": "sk-operator",
    });
  });

  it("adds anthropic-version only when the client sent none", () => {
    expect(forwardRequestHeaders(new Headers(), "k")["anthropic-version"]).toBe("2023-06-01");
    expect(forwardRequestHeaders(new Headers({ "anthropic-version": "2026-10-21" }), "k")["anthropic-version"]).toBe(
      "2026-10-21",
    );
  });
});

describe("forwardResponseHeaders", () => {
  it("passes Anthropic's headers, repeated ones included, without hop-by-hop ones", () => {
    const h = forwardResponseHeaders({
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": "120",
      "request-id": "req_1",
      "anthropic-ratelimit-requests-remaining": "49",
      "set-cookie": ["a=1", "b=2"],
      connection: "keep-alive",
      "keep-alive": "timeout=5",
      "transfer-encoding": "chunked",
    });
    expect(Object.fromEntries([...h].filter(([name]) => name !== "set-cookie"))).toEqual({
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": "120",
      "request-id": "req_1",
      "anthropic-ratelimit-requests-remaining": "49",
    });
    expect(h.getSetCookie()).toEqual(["a=1", "b=2"]);
  });
});
