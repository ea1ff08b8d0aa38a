// The classifier's quality on the sets it was never tuned on, as a floor: the figures measured when
// they were last raised. A change that makes routing worse on held-out work fails here; a better
// classifier raises the floor in the same commit. Never a tuning target: the held-out sets are
// pinned by hash so that nobody edits them to pass.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateClassifier } from "@/server/core/classifier/evaluate-classifier";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { HELD_OUT_SETS, labelledDataDir, readLabelledSet } from "./labelled-sets";
import { classifierReport, reportInReadme } from "./classifier-report-table";

/** sha256 of each held-out file: written once, by authors who never read the classifier. */
const PINNED: Record<(typeof HELD_OUT_SETS)[number], string> = {
  test: "6e652dad64199bfed31450541de3a0393c1808c4265dea771dc0f0bb566335f8",
  "agent-turns-test": "36a012240e98feb166859eac25f3a79f5140e845353836ce5245d601a59f8a11",
};

/** Today's figures: tier accuracy at least this, and at most this many tier-3 tasks sent to a local lane. */
const FLOOR: Record<(typeof HELD_OUT_SETS)[number], { tierAccuracy: number; reasoningSentLocal: number }> = {
  test: { tierAccuracy: 100 / 120, reasoningSentLocal: 2 },
  "agent-turns-test": { tierAccuracy: 83 / 110, reasoningSentLocal: 2 },
};

describe("classifier quality on held-out sets", () => {
  for (const name of HELD_OUT_SETS) {
    it(`${name}.jsonl is the pinned file`, () => {
      const bytes = fs.readFileSync(path.join(labelledDataDir, `${name}.jsonl`));
      expect(crypto.createHash("sha256").update(bytes).digest("hex")).toBe(PINNED[name]);
    });

    it(`${name}: tier accuracy and tier-3 safety stay at or above the floor`, () => {
      const e = evaluateClassifier(readLabelledSet(name), DEFAULT_SETTINGS.classifierMinConfidence);
      expect(e.total).toBeGreaterThanOrEqual(100);
      expect(e.tierAccuracy).toBeGreaterThanOrEqual(FLOOR[name].tierAccuracy);
      expect(e.reasoningSentLocal.map((r) => r.title).length).toBeLessThanOrEqual(FLOOR[name].reasoningSentLocal);
    });
  }

  it("the README's table is the report's (npm run --silent classifier:report -- --write)", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    expect(reportInReadme(readme)).toBe(classifierReport());
  });
});
