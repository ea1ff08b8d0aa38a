// The smoke suite: trivial agent tasks, one or more per capability the local tier is asked for,
// each with the prompt an agent would send, the tools it may call, and a deterministic grader
// that checks what was done (tool calls, files, exact structure), not whether a word appears.
// Pure: the runner calls the model, applies file tool calls in a sandbox and passes the result in.
import { z } from "zod";

export const CAPABILITIES = ["instructions", "json", "shell", "files", "messages", "git"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const CAPABILITY_LABEL: Record<Capability, string> = {
  instructions: "Follow structured instructions",
  json: "Parse and generate JSON",
  shell: "Shell commands via tool calls",
  files: "Read/write files in known formats",
  messages: "Compose simple messages",
  git: "Git workflows",
};

/**
 * The capabilities each catalogue task type relies on, so that smoke evidence can speak about
 * lanes. Task types that need reasoning (tier 3) or that the suite does not exercise (log
 * summaries) have no entry: a smoke run never proposes moving them.
 */
export const TASK_TYPE_CAPABILITIES: Readonly<Record<string, readonly Capability[]>> = {
  heartbeat: ["instructions"],
  "status-report": ["instructions"],
  "mailbox-poll": ["instructions", "json"],
  "mailbox-ack": ["json"],
  "git-operations": ["shell", "git"],
  "git-fetch": ["shell"],
  "git-commit-push": ["shell", "git"],
  "file-read-write": ["files"],
  "file-write-literal": ["files"],
  "message-forwarding": ["messages"],
  "pr-branch-creation": ["git"],
  "backlog-parsing": ["json"],
  "message-composition": ["messages"],
  "config-update": ["files"],
  "test-execution": ["shell"],
};

export type SmokeTool = {
  name: string;
  description: string;
  input_schema: {
    type: "object";
    properties: Record<string, { type: string; description?: string }>;
    required?: string[];
  };
};
export type ToolCall = { name: string; input: Record<string, unknown> };
export type SmokeAnswer = { text: string; toolCalls: ToolCall[] };
export type Verdict = { passed: boolean; reason: string };

export type SmokeTask = {
  id: string;
  capability: Capability;
  title: string;
  system?: string;
  prompt: string;
  tools?: SmokeTool[];
  /** Files the sandbox starts with (relative path -> content). A task with files, or a write_file tool, runs in a fresh sandbox. */
  files?: Record<string, string>;
  /** `files` is the sandbox after the answer's write_file calls were applied. */
  grade(answer: SmokeAnswer, files: Record<string, string>): Verdict;
};

const pass = (reason: string): Verdict => ({ passed: true, reason });
const fail = (reason: string): Verdict => ({ passed: false, reason });

const EXEC: SmokeTool = {
  name: "exec",
  description: "Run a shell command in the repository and return its output.",
  input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};
const WRITE_FILE: SmokeTool = {
  name: "write_file",
  description: "Write a file in the workspace, replacing its content.",
  input_schema: {
    type: "object",
    properties: { path: { type: "string" }, content: { type: "string" } },
    required: ["path", "content"],
  },
};
const SEND_MESSAGE: SmokeTool = {
  name: "send_message",
  description: "Send a short message to another agent of the fleet.",
  input_schema: {
    type: "object",
    properties: { to: { type: "string" }, text: { type: "string" } },
    required: ["to", "text"],
  },
};

/** The answer's text without a reasoning block and without surrounding whitespace. */
function visibleText(answer: SmokeAnswer): string {
  return answer.text.replace(/<think>[\s\S]*?<\/think>/g, "").trim();
}

/** JSON out of an answer: the whole text, or the one fenced block it contains. */
function extractJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n```$/.exec(text.trim());
  const body = fenced ? fenced[1]! : text.trim();
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    return { ok: false, reason: `the answer is not JSON (${(err as Error).message.slice(0, 80)})` };
  }
}

function onlyToolCall(answer: SmokeAnswer, name: string): ToolCall | Verdict {
  if (answer.toolCalls.length === 0) return fail(`no tool call; the task needs a call to ${name}`);
  const other = answer.toolCalls.find((c) => c.name !== name);
  if (other) return fail(`called ${other.name}, which the task does not need`);
  if (answer.toolCalls.length > 1) return fail(`called ${name} ${answer.toolCalls.length} times; once is right`);
  return answer.toolCalls[0]!;
}
const isVerdict = (v: ToolCall | Verdict): v is Verdict => "passed" in v;

function compareFields(actual: Record<string, unknown>, expected: Record<string, unknown>): Verdict {
  for (const [key, want] of Object.entries(expected)) {
    if (JSON.stringify(actual[key]) !== JSON.stringify(want))
      return fail(`${key} is ${JSON.stringify(actual[key])}, expected ${JSON.stringify(want)}`);
  }
  return pass("every field matches");
}

function gradeJson(schema: z.ZodType<Record<string, unknown>>, expected: Record<string, unknown>) {
  return (answer: SmokeAnswer): Verdict => {
    if (answer.toolCalls.length) return fail("called a tool; the task asks for JSON in the answer");
    const json = extractJson(visibleText(answer));
    if (!json.ok) return fail(json.reason);
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return fail(`does not fit the schema: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    return compareFields(parsed.data, expected);
  };
}

const HEARTBEAT_MD = `# HEARTBEAT.md
Do these three steps, in order, and nothing else:
1. If the inbox below has unread messages, write a line \`INBOX <number of unread messages>\`.
2. If the CI status below is failing, write a line \`CI FAILING <job name>\`.
3. If you wrote no line in steps 1 and 2, reply exactly \`HEARTBEAT_OK\`.
Write nothing else: no greeting, no explanation.`;

const TOOLS_MD = `# TOOLS.md

| tool | setting | value |
|------|---------|-------|
| git | remote | origin |
| exec | timeout | 30 |
| browser | headless | true |

Notes: keep this table in this order.
`;

export const SMOKE_SUITE: readonly SmokeTask[] = [
  {
    id: "heartbeat-quiet",
    capability: "instructions",
    title: "Heartbeat with nothing to do",
    system: "You are an agent of a fleet. Follow your workspace files exactly.",
    prompt: `${HEARTBEAT_MD}\n\nInbox: 0 unread.\nCI status: passing (job build).\n\nRead HEARTBEAT.md above and follow it strictly. If nothing needs attention, reply HEARTBEAT_OK.`,
    grade(answer) {
      if (answer.toolCalls.length) return fail("called a tool; the heartbeat needs none");
      const text = visibleText(answer);
      return text === "HEARTBEAT_OK"
        ? pass("replied exactly HEARTBEAT_OK")
        : fail(`replied ${JSON.stringify(text.slice(0, 80))}, not exactly HEARTBEAT_OK`);
    },
  },
  {
    id: "heartbeat-inbox",
    capability: "instructions",
    title: "Heartbeat that finds unread mail",
    system: "You are an agent of a fleet. Follow your workspace files exactly.",
    prompt: `${HEARTBEAT_MD}\n\nInbox: 3 unread.\nCI status: passing (job build).\n\nRead HEARTBEAT.md above and follow it strictly.`,
    grade(answer) {
      if (answer.toolCalls.length) return fail("called a tool; the heartbeat needs none");
      const lines = visibleText(answer)
        .split("\n")
        .map((l) => l.trim().replace(/^`|`$/g, ""))
        .filter(Boolean);
      if (lines.includes("HEARTBEAT_OK")) return fail("replied HEARTBEAT_OK although step 1 found unread mail");
      if (lines.length !== 1) return fail(`wrote ${lines.length} lines; exactly one (INBOX 3) is right`);
      return lines[0] === "INBOX 3"
        ? pass("wrote exactly the INBOX line")
        : fail(`wrote ${JSON.stringify(lines[0])}, expected "INBOX 3"`);
    },
  },
  {
    id: "mailbox-to-json",
    capability: "json",
    title: "Mailbox message into a JSON schema",
    prompt: `GET /api/mailbox/next returned:
{"id":"m-4417","from":{"agent":"flere-imsaho","host":"gpu-2"},"headers":{"Subject":"Deploy window moved to 14:00"},"flags":["urgent"],"body":"Can you confirm you saw this?"}

Extract it into JSON with exactly these fields: {"from": string (the sending agent), "subject": string, "priority": "low" | "normal" | "high" ("urgent" flag means high), "needsReply": boolean}. Respond with the JSON object only.`,
    grade: gradeJson(
      z
        .object({
          from: z.string(),
          subject: z.string(),
          priority: z.enum(["low", "normal", "high"]),
          needsReply: z.boolean(),
        })
        .strict(),
      { from: "flere-imsaho", subject: "Deploy window moved to 14:00", priority: "high", needsReply: true },
    ),
  },
  {
    id: "queue-count-json",
    capability: "json",
    title: "Queue report as JSON",
    prompt: `GET /api/queue returned:
[{"id":"t-31","state":"pending","created":"2026-11-20T08:00:00Z"},{"id":"t-29","state":"done","created":"2026-11-19T07:00:00Z"},{"id":"t-27","state":"pending","created":"2026-11-18T09:30:00Z"},{"id":"t-33","state":"pending","created":"2026-11-21T10:00:00Z"}]

Report it as {"pending": <number of pending items>, "oldestPendingId": <id of the oldest pending item>}. Respond with the JSON object only.`,
    grade: gradeJson(z.object({ pending: z.number().int(), oldestPendingId: z.string() }).strict(), {
      pending: 3,
      oldestPendingId: "t-27",
    }),
  },
  {
    id: "exec-tree-clean",
    capability: "shell",
    title: "Is the working tree clean?",
    prompt: "Is the git working tree clean? Use the exec tool to find out; do not guess.",
    tools: [EXEC],
    grade(answer) {
      const call = onlyToolCall(answer, "exec");
      if (isVerdict(call)) return call;
      const command = String(call.input.command ?? "").trim();
      return /^git status( --porcelain(=v[12])?| -s| --short)?$/.test(command)
        ? pass(`called exec with ${JSON.stringify(command)}`)
        : fail(`called exec with ${JSON.stringify(command)}, not a git status`);
    },
  },
  {
    id: "exec-run-tests",
    capability: "shell",
    title: "Run the test suite",
    prompt: "Run this Node project's test suite (its package.json has a test script). Use the exec tool.",
    tools: [EXEC],
    grade(answer) {
      const call = onlyToolCall(answer, "exec");
      if (isVerdict(call)) return call;
      const command = String(call.input.command ?? "").trim();
      return /^npm (run )?test$|^npm t$/.test(command)
        ? pass(`called exec with ${JSON.stringify(command)}`)
        : fail(`called exec with ${JSON.stringify(command)}, not npm test`);
    },
  },
  {
    id: "write-literal",
    capability: "files",
    title: "Write 42 to test.txt",
    prompt: "Write 42 to test.txt. Use the write_file tool.",
    tools: [WRITE_FILE],
    grade(answer, files) {
      const call = onlyToolCall(answer, "write_file");
      if (isVerdict(call)) return call;
      const written = Object.keys(files).filter((f) => f !== "test.txt");
      if (written.length) return fail(`wrote ${written.join(", ")} besides test.txt`);
      const content = files["test.txt"];
      if (content === undefined) return fail("test.txt was not written");
      return content.replace(/\r?\n$/, "") === "42"
        ? pass("test.txt holds 42")
        : fail(`test.txt holds ${JSON.stringify(content.slice(0, 40))}, not 42`);
    },
  },
  {
    id: "tools-md-update",
    capability: "files",
    title: "Change one value in TOOLS.md",
    prompt: `Here is TOOLS.md:\n\n${TOOLS_MD}\nSet the exec timeout to 60. Write the whole updated file back with write_file (path TOOLS.md); change nothing else.`,
    tools: [WRITE_FILE],
    files: { "TOOLS.md": TOOLS_MD },
    grade(answer, files) {
      const call = onlyToolCall(answer, "write_file");
      if (isVerdict(call)) return call;
      const after = files["TOOLS.md"];
      if (after === undefined) return fail("TOOLS.md is gone");
      const extra = Object.keys(files).filter((f) => f !== "TOOLS.md");
      if (extra.length) return fail(`wrote ${extra.join(", ")} besides TOOLS.md`);
      const expected = TOOLS_MD.replace("| exec | timeout | 30 |", "| exec | timeout | 60 |");
      const norm = (s: string) =>
        s
          .split("\n")
          .map((l) => l.trimEnd())
          .join("\n")
          .trim();
      if (norm(after) === norm(expected)) return pass("only the exec timeout changed, to 60");
      const a = norm(after).split("\n");
      const e = norm(expected).split("\n");
      const line = e.findIndex((l, i) => a[i] !== l);
      return fail(
        `TOOLS.md differs from the expected file at line ${line + 1}: ${JSON.stringify(a[line] ?? "(missing)")}`,
      );
    },
  },
  {
    id: "message-rebase",
    capability: "messages",
    title: "Tell Loash to rebase",
    prompt:
      "Tell Loash to rebase their branch feature/search onto main before the review. Use send_message; keep it under 200 characters.",
    tools: [SEND_MESSAGE],
    grade(answer) {
      const call = onlyToolCall(answer, "send_message");
      if (isVerdict(call)) return call;
      const to = String(call.input.to ?? "")
        .trim()
        .toLowerCase()
        .replace(/^@/, "");
      const text = String(call.input.text ?? "");
      if (to !== "loash") return fail(`sent to ${JSON.stringify(call.input.to)}, not Loash`);
      if (!/\brebas(e|ing)\b/i.test(text)) return fail("the message does not ask for a rebase");
      if (!/\bmain\b/i.test(text)) return fail("the message does not say onto main");
      if (text.length > 200) return fail(`the message is ${text.length} characters; the limit is 200`);
      return pass("to Loash, asks to rebase onto main, short");
    },
  },
  {
    id: "branch-name",
    capability: "git",
    title: "Branch name from a task title",
    prompt: `Our branch convention: <type>/<kebab-case-summary>, type is feat, fix or chore, lowercase, at most 40 characters in all.
Task title: "Fix login timeout on slow networks".
Reply with the branch name only.`,
    grade(answer) {
      if (answer.toolCalls.length) return fail("called a tool; the task asks for a name");
      const name = visibleText(answer).replace(/^`|`$/g, "");
      if (/\s/.test(name)) return fail(`${JSON.stringify(name.slice(0, 60))} is not a single branch name`);
      if (!/^(feat|fix|chore)\/[a-z0-9]+(-[a-z0-9]+)*$/.test(name))
        return fail(`${JSON.stringify(name)} does not follow <type>/<kebab-case-summary>`);
      if (!name.startsWith("fix/")) return fail(`${name} should be a fix/ branch: the task fixes a bug`);
      if (name.length > 40) return fail(`${name} is ${name.length} characters; at most 40`);
      if (!/login/.test(name) || !/timeout/.test(name))
        return fail(`${name} does not say what it fixes (login timeout)`);
      return pass(`${name} follows the convention`);
    },
  },
  {
    id: "commit-message",
    capability: "git",
    title: "Conventional commit message for a diff",
    prompt: `Write a Conventional Commits message (one subject line, at most 72 characters) for this diff. Reply with the message only.

diff --git a/README.md b/README.md
@@ -12,7 +12,7 @@
-Run \`npm isntall\` before the first start.
+Run \`npm install\` before the first start.`,
    grade(answer) {
      if (answer.toolCalls.length) return fail("called a tool; the task asks for a message");
      const subject = visibleText(answer)
        .replace(/^`+|`+$/g, "")
        .split("\n")[0]!
        .trim();
      const m = /^([a-z]+)(\([\w./-]+\))?!?: (.+)$/.exec(subject);
      if (!m) return fail(`${JSON.stringify(subject.slice(0, 80))} is not <type>(<scope>)?: <description>`);
      if (m[1] !== "docs") return fail(`type ${m[1]}: a README typo fix is docs`);
      if (subject.length > 72) return fail(`the subject is ${subject.length} characters; at most 72`);
      if (!/typo|spelling|install/i.test(m[3]!))
        return fail("the description does not say what changed (the install typo)");
      return pass(`"${subject}" is a conventional docs commit`);
    },
  },
];
