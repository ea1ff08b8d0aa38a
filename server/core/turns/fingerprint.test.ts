import { describe, expect, it } from "vitest";
import { fingerprintOf, templateOf, TEMPLATE_MAX } from "./fingerprint";

const same = (a: string, b: string) => expect(fingerprintOf(a)!.id).toBe(fingerprintOf(b)!.id);
const differ = (a: string, b: string) => expect(fingerprintOf(a)!.id).not.toBe(fingerprintOf(b)!.id);

describe("fingerprintOf", () => {
  it("gives one fingerprint to one template run with other numbers, times, ids, hashes and paths", () => {
    same("write 42 to test.txt", "write 7 to notes/today.md");
    same(
      "Check the inbox at 09:15 UTC and ack message msg_01ab3",
      "check the inbox at 21:40 utc and ack message msg_77xy9",
    );
    same(
      "Current time: 2026-11-30T01:52:00Z. Read HEARTBEAT.md if it exists.",
      "Current time: 2026-12-01T13:07:44Z. Read HEARTBEAT.md if it exists.",
    );
    same("cherry-pick 3f9a2c1 onto release/1.4", "cherry-pick e81b07d4 onto release/2.0");
    same(
      "post the status of job 5b1f0c2e-8a43-4c7a-9d2e-1f0a9b8c7d6e",
      "post the status of job 0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
    );
    same('commit with message "fix typo" and push', "commit with message 'update docs' and push");
    same("fetch https://example.com/api/mail?since=12", "fetch https://mail.internal:8443/v2/inbox");
    same("close issue #128 as done", "close issue #7 as done");
    same("email bob@example.com the summary", "email alice.k@corp.example.org the summary");
  });

  it("tells different instructions apart", () => {
    differ("write 42 to test.txt", "read test.txt");
    differ("review PR 128 for correctness", "merge PR 128");
    differ("check the inbox", "check the calendar");
  });

  it("ignores case and spacing", () => {
    same("Run   the tests\n and report", "run the tests and report");
  });

  it("keeps the words an operator reads in the template", () => {
    expect(templateOf("write 42 to /tmp/out/test.txt at 10:30")).toBe("write <n> to <path> at <time>");
    expect(templateOf("git pull in ~/src/offload")).toBe("git pull in <path>");
  });

  it("has no fingerprint without an instruction and bounds the template it shows", () => {
    expect(fingerprintOf("")).toBeNull();
    expect(fingerprintOf("   \n ")).toBeNull();
    const long = fingerprintOf("summarise ".repeat(200))!;
    expect(long.template.length).toBe(TEMPLATE_MAX);
    expect(long.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
