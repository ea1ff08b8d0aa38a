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
