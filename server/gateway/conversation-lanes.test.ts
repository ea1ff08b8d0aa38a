// The tool-loop lanes: a loop follows the lane its first turn set, for a while (TTL from the last
// touch), within a bound (the least recently touched go first), and not after its turn escalated.
import { describe, expect, it } from "vitest";
import { ConversationLanes, conversationLaneKey } from "./conversation-lanes";

const local = { lane: "local" as const, taskTypeId: "status-report", escalated: false };

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("ConversationLanes", () => {
  it("follows a remembered lane until it has been idle for the TTL", () => {
    const c = clock();
    const lanes = new ConversationLanes({ ttlMs: 60_000, now: c.now });
    lanes.remember("a", local);
    c.advance(59_000);
    expect(lanes.follow("a")).toEqual(local); // and the hit keeps it alive
    c.advance(59_000);
    expect(lanes.follow("a")).toEqual(local);
    c.advance(60_000);
    expect(lanes.follow("a")).toBeNull();
    expect(lanes.size).toBe(0);
    expect(lanes.follow("never")).toBeNull();
  });

  it("keeps at most maxEntries, dropping the least recently touched", () => {
    const lanes = new ConversationLanes({ maxEntries: 2 });
    lanes.remember("a", local);
    lanes.remember("b", local);
    lanes.follow("a");
    lanes.remember("c", local);
    expect(lanes.size).toBe(2);
    expect(lanes.follow("b")).toBeNull();
    expect(lanes.follow("a")).toEqual(local);
    expect(lanes.follow("c")).toEqual(local);
  });

  it("does not follow a loop whose turn escalated, remembered so or marked later", () => {
    const lanes = new ConversationLanes();
    lanes.remember("a", { ...local, escalated: true });
    expect(lanes.follow("a")).toBeNull();
    lanes.remember("b", local);
    lanes.markEscalated("b");
    expect(lanes.follow("b")).toBeNull();
    lanes.markEscalated("unknown");
    expect(lanes.size).toBe(2);
    lanes.clear();
    expect(lanes.size).toBe(0);
  });

  it("keys conversations per agent", () => {
    expect(conversationLaneKey("loash", "k")).not.toBe(conversationLaneKey("ops", "k"));
  });
});
