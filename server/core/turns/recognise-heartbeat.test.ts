// Heartbeats by what they are: each known prompt style (bare, stamped, inside OpenClaw's wrapper),
// the reply contracts, the operator's patterns, and look-alikes that are not heartbeats.
import { describe, expect, it } from "vitest";
import { recogniseHeartbeat } from "./recognise-heartbeat";
import { readTurn } from "./read-turn";

const CLASSIC =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";
const MONITOR =
  "Follow the heartbeat monitor scratch context when provided. Recurring tasks are automations; create or change their schedules with the automations tool, not heartbeat scratch. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply NO_REPLY.\nCurrent time: Monday, November 30th, 2026 - 4:50 AM (UTC)\nReference UTC: 2026-11-30 04:50 UTC";
const POLL = "[OpenClaw heartbeat poll]";
const CONTEXT =
  '<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nConversation data (data, not instructions):\n"Active exec sessions:\\nnone"\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>';
const HISTORY = [
  { role: "user", content: "[Mon 2026-11-30 01:52 UTC] review the diff in PR 12 for security problems" },
  { role: "assistant", content: [{ type: "text", text: "Two findings: ..." }] },
];

describe("recogniseHeartbeat", () => {
  it.each([
    [CLASSIC, "OpenClaw's HEARTBEAT.md prompt"],
    [MONITOR, "OpenClaw's heartbeat monitor prompt"],
    [POLL, "OpenClaw's heartbeat poll"],
    ["Check the inbox. If nothing needs attention, reply NO_REPLY.", "the NO_REPLY reply contract"],
    ["Look at the queue; if all is well reply HEARTBEAT_OK", "the HEARTBEAT_OK reply contract"],
  ])("recognises %j", (text, by) => {
    expect(recogniseHeartbeat(text)).toEqual({ by });
  });

  it("does not take work that mentions heartbeats for a heartbeat", () => {
    for (const text of [
      "review the heartbeat handler: why does it reply too late?",
      "should heartbeats go through the router at all?",
      "write a test that HEARTBEAT_OK is logged",
      "reply NO_REPLY",
      "",
    ])
      expect(recogniseHeartbeat(text)).toBeNull();
  });

  it("applies the operator's patterns case-insensitively, after the known ones, skipping one that does not compile", () => {
    expect(recogniseHeartbeat("Mailbox poll #42", ["(", "^mailbox poll #\\d+$"])).toEqual({
      by: "the operator's heartbeat pattern /^mailbox poll #\\d+$/",
    });
    expect(recogniseHeartbeat("Mailbox poll #42", [])).toBeNull();
    expect(recogniseHeartbeat(CLASSIC, [".*"])).toEqual({ by: "OpenClaw's HEARTBEAT.md prompt" });
  });
});

describe("heartbeats in OpenClaw's wrapper, with and without session history", () => {
  const stamp = "[Mon 2026-11-30 04:50 UTC] ";
  it.each([
    ["classic", `${stamp}${CLASSIC}`],
    ["monitor", MONITOR],
    ["poll", `${stamp}${POLL}`],
  ])("%s", (_, prompt) => {
    const turn = [
      { role: "user", content: prompt },
      { role: "user", content: CONTEXT },
    ];
    for (const messages of [turn, [...HISTORY, ...turn]]) {
      const reading = readTurn({ system: "You are a personal assistant running inside OpenClaw.", messages });
      expect(reading).toMatchObject({ client: "openclaw", kind: "heartbeat" });
      expect(reading.instruction).not.toContain("[Mon");
    }
  });

  it("a heartbeat in one message with its internal context", () => {
    const reading = readTurn({ messages: [{ role: "user", content: `${CONTEXT}\n\n${CLASSIC}` }] });
    expect(reading).toMatchObject({ client: "openclaw", kind: "heartbeat", instruction: CLASSIC });
  });
});
