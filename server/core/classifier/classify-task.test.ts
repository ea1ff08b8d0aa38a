import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_CATALOGUE } from "../catalogue";
import { LANE_TIER } from "../lanes";
import { DEFAULT_SETTINGS } from "../settings-defaults";
import { classifyTask, type ClassifierTaskType } from "./classify-task";
import { evaluateClassifier, type LabelledTask } from "./evaluate-classifier";
import { stem, tokenize } from "./tokenize";

const OPENCLAW_HEARTBEAT =
  "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";

const MIN_CONFIDENCE = DEFAULT_SETTINGS.classifierMinConfidence;

const routedLocal = (title: string, description?: string) => {
  const c = classifyTask({ title, description });
  return c.tier !== 3 && c.confidence >= MIN_CONFIDENCE;
};

describe("classifyTask", () => {
  it("recognises OpenClaw's default heartbeat prompt, alone or as the gateway's last user message", () => {
    for (const input of [
      { title: OPENCLAW_HEARTBEAT },
      { lastUserText: OPENCLAW_HEARTBEAT },
      { lastUserText: `${OPENCLAW_HEARTBEAT}\nCurrent time: 2026-11-25 09:00 UTC` },
    ]) {
      const c = classifyTask(input);
      expect(c).toMatchObject({ taskType: "heartbeat", tier: 1 });
      expect(c.confidence).toBeGreaterThan(0.9);
    }
  });

  it("recognises mailbox polls however they are phrased", () => {
    for (const t of [
      "check the mailbox for new messages",
      "any new mail for me?",
      "GET /api/queue and report the count",
      "poll the inbox and list unread items",
    ]) {
      expect(classifyTask({ title: t }).taskType, t).toBe("mailbox-poll");
      expect(routedLocal(t), t).toBe(true);
    }
  });

  it("generalises beyond the catalogue's wording", () => {
    expect(classifyTask({ title: "is the working copy dirty?" }).taskType).toBe("git-operations");
    expect(classifyTask({ title: "weigh both positions and recommend one" }).tier).toBe(3);
    expect(classifyTask({ title: "fwd the alert from ops to #fleet unchanged" }).taskType).toBe("message-forwarding");
    expect(classifyTask({ title: "write 42 to test.txt" })).toMatchObject({ taskType: "file-write-literal", tier: 0 });
  });

  it("never sends reasoning work to a local lane", () => {
    for (const t of [
      "review PR 128 for correctness",
      "design the retry policy for the mailbox client",
      "debug why the worker leaks memory",
      "find the root cause of the flaky queue test",
      "what are the trade-offs between Postgres and SQLite for the task log?",
      "implement a token bucket rate limiter for the gateway",
      "audit the auth middleware for security holes",
      "plan next quarter's roadmap",
      "fix the failing test in parser.spec.ts",
    ]) {
      expect(classifyTask({ title: t }).tier, t).toBe(3);
    }
  });

  it("lets a description change the tier", () => {
    expect(classifyTask({ title: "rebase feature/tiers onto main" }).tier).toBe(1);
    expect(
      classifyTask({
        title: "rebase feature/tiers onto main",
        description: "git stopped with merge conflicts in schema.prisma; both sides changed the Tier enum",
      }).tier,
    ).toBe(3);
  });

  it("returns no task type and tier 3 for text it cannot read", () => {
    for (const input of [{}, { title: "" }, { title: "   " }, { title: "lorem ipsum dolor" }]) {
      const c = classifyTask(input);
      expect(c.tier).toBe(3);
      expect(c.confidence).toBeLessThan(MIN_CONFIDENCE);
    }
  });

  it("classifies an operator's own task type by its name and examples", () => {
    const catalogue: ClassifierTaskType[] = [
      ...SEED_CATALOGUE,
      {
        id: "invoice-export",
        name: "Invoice export",
        lane: "local",
        examples: ["export the invoices to the accounting share", "run the invoice export"],
      },
    ];
    expect(classifyTask({ title: "export yesterday's invoices to accounting" }, catalogue).taskType).toBe(
      "invoice-export",
    );
  });

  it("reads only the head and tail of a very long prompt", () => {
    const filler = "lorem ipsum ".repeat(50_000);
    const c = classifyTask({ lastUserText: `${OPENCLAW_HEARTBEAT}\n${filler}` });
    expect(c.taskType).toBe("heartbeat");
  });

  it("stems words so inflections meet", () => {
    expect(stem("reviewing")).toBe(stem("review"));
    expect(stem("summarise")).toBe(stem("summarize"));
    expect(stem("committed")).toBe(stem("commit"));
    expect(tokenize("Please review the PR").words).toEqual(["review", "pr"]);
  });
});

/** The tier a task is routed to: a local verdict below the confidence floor goes to Claude. */
const routedTier = (title: string) => {
  const c = classifyTask({ title });
  return c.tier !== 3 && c.confidence < MIN_CONFIDENCE ? 3 : c.tier;
};
const expectRouted = (cases: [tier: number, title: string][]) => {
  for (const [tier, title] of cases) expect(routedTier(title), title).toBe(tier);
};

describe("general rules", () => {
  it("marks quoted literals and names (paths, branches, file stems, #channels) as content, keeping extensions", () => {
    const t = tokenize('commit as "refactor the parser" and push to feature/new-api, then post in #design');
    const literal = t.words.filter((_, i) => t.literal.has(i));
    expect(literal).toEqual(["refactor", "parser", "featur", "new", "api", "design"]);
    const file = tokenize("tail the last lines of worker.log");
    expect(file.words.filter((_, i) => file.literal.has(i))).toEqual(["worker"]);
    // Choices and sentence ends are no names; a JSON payload's quotes are its structure.
    expect(tokenize("pass/fail counts. done.").literal.size).toBe(0);
    expect(tokenize('{"action": "ack", "id": 7}').literal.size).toBe(0);
    expect(tokenize("don't touch it").words).toEqual(["dont", "touch"]);
  });

  it("does not let words inside a literal or a name decide the task", () => {
    expectRouted([
      [0, "write 'debug the root cause' to notes/todo.txt"],
      [0, 'commit as "feat: redesign the settings page" and push'],
      [0, "git -C ~/src/site pull"],
    ]);
  });

  it("reads 'tell me' as a request for the answer and 'remind me' as a chore, not a message to compose", () => {
    expect(classifyTask({ title: "tell me how many unread messages are waiting" }).taskType).toBe("mailbox-poll");
    expect(routedTier("remind me at 5 to stretch")).toBe(1);
    expect(classifyTask({ title: "check the disk and let me know" }).taskType).not.toBe("message-composition");
  });

  it("recognises literal values to write, and keys set inside a config file", () => {
    expectRouted([
      [0, "set the contents of /run/app/mode to readonly"],
      [0, "put the following text into NOTES.txt: ship it"],
      [0, "write HEARTBEAT_OK to state/beat.txt"],
      [2, "set `debug: false` in settings.yaml"],
      [2, "update the log level in settings.toml to warn"],
      [2, "raise the heartbeat interval in agent.json to 15 minutes"],
    ]);
  });

  it("recognises imperative chores: acks by id, deletes on a path, dependency installs, syncs with a remote", () => {
    expectRouted([
      [0, "acknowledge notifications 71, 72 and 73"],
      [0, "delete /tmp/build-cache/*.tmp"],
      [0, "run `pnpm install`"],
      [0, "sync the docs clone with upstream"],
    ]);
  });

  it("recognises routine file, git, forwarding and test work by its shape", () => {
    expectRouted([
      [1, "add a row to team.csv: name=Ada, role=ops"],
      [1, "copy the design decisions section from wiki/old.md into wiki/new.md"],
      [1, "list all the .png files under assets/"],
      [1, "show the last 3 commits on release"],
      [1, "pass the security review notes on to ops"],
      [1, "share the release photo to the #marketing channel"],
      [2, "run the contract tests against staging and post the results"],
      [2, "run ./scripts/verify.sh and tell me whether it passed"],
    ]);
  });

  it("sends judgement to Claude however mechanical the rest looks", () => {
    expectRouted([
      // a question asking for a judgement
      [3, "would moving the cron to 5 minutes overload the mailbox api?"],
      [3, "could this script ever remove files outside /tmp?"],
      // an action conditional on a judgement, or a value left to choose
      [3, "delete the old dumps in /srv/dumps/ if it is safe"],
      [3, "set the retry limit in client.yaml to whatever makes sense"],
      // a fix whose cause is not given
      [3, "the export throws on empty input, fix it"],
      [3, "work out what broke the nightly and fix it"],
      // a reasoning step after a mechanical one
      [3, "copy the stack trace from logs/api.log into notes/bug.md and then debug it"],
      [3, "pass the audit findings on to ops and explain which ones matter"],
      // code carried into another language
      [3, "translate this parser into Rust"],
      [3, "suggest a better schedule for the backups"],
    ]);
  });
});

const dataDir = path.join(import.meta.dirname, "data");
const readSet = (name: string): LabelledTask[] =>
  fs
    .readFileSync(path.join(dataDir, `${name}.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledTask);

describe("labelled data", () => {
  const sets = {
    train: readSet("train"),
    dev: readSet("dev"),
    test: fs.existsSync(path.join(dataDir, "test.jsonl")) ? readSet("test") : [],
  };
  const ids = new Map(SEED_CATALOGUE.map((t) => [t.id, LANE_TIER[t.lane]]));

  it("is well formed: known task types, tiers that agree with them, no duplicates within or across sets", () => {
    const seen = new Map<string, string>();
    for (const [name, rows] of Object.entries(sets)) {
      for (const r of rows) {
        expect(typeof r.title === "string" && r.title.trim().length > 0, `${name}: title`).toBe(true);
        expect([0, 1, 2, 3], `${name}: tier of ${r.title}`).toContain(r.tier);
        if (r.taskType !== null) expect(ids.get(r.taskType), `${name}: ${r.title}`).toBe(r.tier);
        const key = r.title.trim().toLowerCase();
        expect(seen.get(key), `"${r.title}" appears in ${seen.get(key)} and ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect(sets.train.length + sets.dev.length + sets.test.length).toBeGreaterThanOrEqual(150);
  });

  it("routes the tuning sets (train + dev) with no tier-3 task sent local and at least 90% tier accuracy", () => {
    const e = evaluateClassifier([...sets.train, ...sets.dev], MIN_CONFIDENCE);
    expect(e.reasoningSentLocal.map((r) => r.title)).toEqual([]);
    expect(e.tierAccuracy).toBeGreaterThanOrEqual(0.9);
  });
});
