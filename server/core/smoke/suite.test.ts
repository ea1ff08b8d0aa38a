// Every grader on hand-written answers: the right one passes, at least three plausible wrong ones fail.
import { describe, expect, it } from "vitest";
import { CAPABILITIES, SMOKE_SUITE, type SmokeAnswer } from "./suite";

const text = (t: string): SmokeAnswer => ({ text: t, toolCalls: [] });
const call = (name: string, input: Record<string, unknown>, t = ""): SmokeAnswer => ({
  text: t,
  toolCalls: [{ name, input }],
});
const TOOLS_BEFORE = SMOKE_SUITE.find((t) => t.id === "tools-md-update")!.files!["TOOLS.md"]!;
const TOOLS_AFTER = TOOLS_BEFORE.replace("| exec | timeout | 30 |", "| exec | timeout | 60 |");

type Case = { answer: SmokeAnswer; files?: Record<string, string> };
const CASES: Record<string, { good: Case[]; bad: Case[] }> = {
  "heartbeat-quiet": {
    good: [{ answer: text("HEARTBEAT_OK") }, { answer: text("<think>nothing to do</think>\nHEARTBEAT_OK\n") }],
    bad: [
      { answer: text("HEARTBEAT_OK. Everything looks fine!") },
      { answer: text("Nothing needs attention.") },
      { answer: text("heartbeat_ok") },
      { answer: call("exec", { command: "cat HEARTBEAT.md" }, "HEARTBEAT_OK") },
    ],
  },
  "heartbeat-inbox": {
    good: [{ answer: text("INBOX 3") }, { answer: text("`INBOX 3`") }],
    bad: [
      { answer: text("HEARTBEAT_OK") },
      { answer: text("INBOX 3\nHEARTBEAT_OK") },
      { answer: text("You have 3 unread messages.") },
      { answer: text("INBOX 3\nCI FAILING build") },
      { answer: text("INBOX: 3") },
    ],
  },
  "mailbox-to-json": {
    good: [
      {
        answer: text(
          '{"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"high","needsReply":true}',
        ),
      },
      {
        answer: text(
          '```json\n{"from": "flere-imsaho", "subject": "Deploy window moved to 14:00", "priority": "high", "needsReply": true}\n```',
        ),
      },
    ],
    bad: [
      {
        answer: text(
          '{"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"normal","needsReply":true}',
        ),
      },
      { answer: text('{"from":"gpu-2","subject":"Deploy window moved to 14:00","priority":"high","needsReply":true}') },
      {
        answer: text(
          '{"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"high","needsReply":"yes"}',
        ),
      },
      {
        answer: text(
          'Here it is: {"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"high","needsReply":true}',
        ),
      },
      {
        answer: text(
          '{"from":"flere-imsaho","subject":"Deploy window moved to 14:00","priority":"high","needsReply":true,"id":"m-4417"}',
        ),
      },
    ],
  },
  "queue-count-json": {
    good: [{ answer: text('{"pending": 3, "oldestPendingId": "t-27"}') }],
    bad: [
      { answer: text('{"pending": 4, "oldestPendingId": "t-27"}') },
      { answer: text('{"pending": 3, "oldestPendingId": "t-29"}') },
      { answer: text('{"pending": "3", "oldestPendingId": "t-27"}') },
      { answer: text("pending: 3, oldest: t-27") },
    ],
  },
  "exec-tree-clean": {
    good: [
      { answer: call("exec", { command: "git status --porcelain" }) },
      { answer: call("exec", { command: "git status" }) },
    ],
    bad: [
      { answer: text("The working tree is clean.") },
      { answer: call("exec", { command: "git diff" }) },
      { answer: call("exec", { command: "git status && git clean -fd" }) },
      { answer: call("run", { command: "git status" }) },
      {
        answer: {
          text: "",
          toolCalls: [
            { name: "exec", input: { command: "git status" } },
            { name: "exec", input: { command: "git status" } },
          ],
        },
      },
    ],
  },
  "exec-run-tests": {
    good: [{ answer: call("exec", { command: "npm test" }) }, { answer: call("exec", { command: "npm run test" }) }],
    bad: [
      { answer: text("Run npm test to run the suite.") },
      { answer: call("exec", { command: "npx vitest" }) },
      { answer: call("exec", { command: "npm install && npm test" }) },
      { answer: call("exec", { command: "yarn test" }) },
    ],
  },
  "write-literal": {
    good: [
      { answer: call("write_file", { path: "test.txt", content: "42" }), files: { "test.txt": "42" } },
      { answer: call("write_file", { path: "test.txt", content: "42\n" }), files: { "test.txt": "42\n" } },
    ],
    bad: [
      { answer: text("I wrote 42 to test.txt."), files: {} },
      { answer: call("write_file", { path: "test.txt", content: "forty-two" }), files: { "test.txt": "forty-two" } },
      { answer: call("write_file", { path: "test.md", content: "42" }), files: { "test.md": "42" } },
      { answer: call("write_file", { path: "test.txt", content: "42 " }), files: { "test.txt": "42 " } },
    ],
  },
  "tools-md-update": {
    good: [
      { answer: call("write_file", { path: "TOOLS.md", content: TOOLS_AFTER }), files: { "TOOLS.md": TOOLS_AFTER } },
    ],
    bad: [
      {
        answer: call("write_file", { path: "TOOLS.md", content: "| exec | timeout | 60 |" }),
        files: { "TOOLS.md": "| exec | timeout | 60 |" },
      },
      {
        answer: call("write_file", { path: "TOOLS.md", content: TOOLS_AFTER.replace("| true |", "| false |") }),
        files: { "TOOLS.md": TOOLS_AFTER.replace("| true |", "| false |") },
      },
      {
        answer: call("write_file", {
          path: "TOOLS.md",
          content: TOOLS_AFTER.replace("Notes: keep this table in this order.\n", ""),
        }),
        files: { "TOOLS.md": TOOLS_AFTER.replace("Notes: keep this table in this order.\n", "") },
      },
      { answer: text(TOOLS_AFTER), files: { "TOOLS.md": TOOLS_BEFORE } },
    ],
  },
  "message-rebase": {
    good: [
      {
        answer: call("send_message", {
          to: "loash",
          text: "Please rebase feature/search onto main before the review.",
        }),
      },
      { answer: call("send_message", { to: "@Loash", text: "Rebase onto main please (feature/search)." }) },
    ],
    bad: [
      { answer: text("Loash, please rebase onto main.") },
      { answer: call("send_message", { to: "ops", text: "Please rebase feature/search onto main." }) },
      { answer: call("send_message", { to: "loash", text: "Please merge main into feature/search." }) },
      { answer: call("send_message", { to: "loash", text: `Please rebase onto main. ${"Thanks! ".repeat(40)}` }) },
    ],
  },
  "branch-name": {
    good: [{ answer: text("fix/login-timeout-slow-networks") }, { answer: text("`fix/login-timeout`") }],
    bad: [
      { answer: text("feat/login-timeout") },
      { answer: text("fix/Login_Timeout") },
      { answer: text("fix/login-timeout-on-slow-networks-for-mobile-users") },
      { answer: text("Branch: fix/login-timeout") },
      { answer: text("fix/slow-networks") },
    ],
  },
  "commit-message": {
    good: [
      { answer: text("docs: fix install typo in README") },
      { answer: text("docs(readme): correct npm install spelling") },
    ],
    bad: [
      { answer: text("fix: typo in README") },
      { answer: text("Fixed a typo in the README") },
      { answer: text("docs: update README") },
      { answer: text(`docs: fix the install typo ${"in the readme ".repeat(6)}`) },
    ],
  },
};

describe("the smoke suite", () => {
  it("has at least 10 tasks covering every capability, with unique ids", () => {
    expect(SMOKE_SUITE.length).toBeGreaterThanOrEqual(10);
    expect(new Set(SMOKE_SUITE.map((t) => t.id)).size).toBe(SMOKE_SUITE.length);
    for (const c of CAPABILITIES)
      expect(
        SMOKE_SUITE.some((t) => t.capability === c),
        c,
      ).toBe(true);
    expect(Object.keys(CASES).sort()).toEqual(SMOKE_SUITE.map((t) => t.id).sort());
  });

  for (const task of SMOKE_SUITE) {
    it(`${task.id}: passes the right answers and rejects at least three plausible wrong ones`, () => {
      const cases = CASES[task.id]!;
      expect(cases.bad.length).toBeGreaterThanOrEqual(3);
      for (const c of cases.good) {
        const v = task.grade(c.answer, c.files ?? {});
        expect(v, JSON.stringify(c.answer)).toMatchObject({ passed: true });
      }
      for (const c of cases.bad) {
        const v = task.grade(c.answer, c.files ?? task.files ?? {});
        expect(v.passed, `${JSON.stringify(c.answer).slice(0, 120)} -> ${v.reason}`).toBe(false);
        expect(v.reason.length).toBeGreaterThan(5);
      }
    });
  }
});
