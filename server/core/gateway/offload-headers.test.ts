// The x-offload-* headers: what they say, and that any HTTP stack takes them.
import { describe, expect, it } from "vitest";
import { headerSafe, offloadHeaders } from "./offload-headers";

describe("offloadHeaders", () => {
  it("names lane, model and reason, and the turn when there is one", () => {
    expect(offloadHeaders({ lane: "claude", model: "claude-haiku-4-5", reason: "pinned", turnId: "t-1" })).toEqual({
      "x-offload-lane": "claude",
      "x-offload-model": "claude-haiku-4-5",
      "x-offload-reason": "pinned",
      "x-offload-turn-id": "t-1",
    });
    expect(offloadHeaders({ lane: "none", model: "", reason: "" })).toEqual({
      "x-offload-lane": "none",
      "x-offload-model": "none",
      "x-offload-reason": "-",
    });
  });

  it("keeps reasons short and printable ASCII, so that any HTTP stack takes them", () => {
    const reason = headerSafe(`classified as heartbeat \u2014 caf\u00e9\r\n${"x".repeat(500)}`, 160);
    expect(reason).toMatch(/^[\x20-\x7e]+$/);
    expect(reason.length).toBeLessThanOrEqual(160);
    expect(reason.startsWith("classified as heartbeat - caf x")).toBe(true);
    expect(() => new Headers({ "x-offload-reason": reason })).not.toThrow();
  });
});
