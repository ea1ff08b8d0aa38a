// The classifier report's markdown table, shared by `npm run classifier:report` and the test that
// keeps the README's copy of it true.
import { evaluateClassifier } from "@/server/core/classifier/evaluate-classifier";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { LABELLED_SETS, readLabelledSet } from "./labelled-sets";

const f = (n: number) => n.toFixed(2);

export const REPORT_START = "<!-- classifier-report:start (npm run --silent classifier:report -- --write) -->";
export const REPORT_END = "<!-- classifier-report:end -->";

export function classifierReport(): string {
  const lines = [
    `Minimum confidence to act on a local verdict: ${DEFAULT_SETTINGS.classifierMinConfidence}`,
    "",
    "| set | tasks | tier accuracy | task type accuracy | tier 0 P / R | tier 1 P / R | tier 2 P / R | tier 3 P / R | tier 3 sent local |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const name of LABELLED_SETS) {
    const rows = readLabelledSet(name);
    if (!rows.length) continue;
    const e = evaluateClassifier(rows, DEFAULT_SETTINGS.classifierMinConfidence);
    const cells = e.tiers.map((t) => `${f(t.precision)} / ${f(t.recall)}`);
    lines.push(
      `| ${name} | ${e.total} | ${f(e.tierAccuracy)} | ${f(e.taskTypeAccuracy)} | ${cells.join(" | ")} | ${e.reasoningSentLocal.length} |`,
    );
  }
  return lines.join("\n");
}

/** The README with the text between its report markers replaced by the report. */
export function replaceReportInReadme(readme: string, report: string): string {
  const start = readme.indexOf(REPORT_START);
  const end = readme.indexOf(REPORT_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${REPORT_START} ... ${REPORT_END} markers`);
  return `${readme.slice(0, start + REPORT_START.length)}\n${report}\n${readme.slice(end)}`;
}

/** The report as the README holds it now, or null without markers. */
export function reportInReadme(readme: string): string | null {
  const start = readme.indexOf(REPORT_START);
  const end = readme.indexOf(REPORT_END);
  if (start < 0 || end < start) return null;
  return readme.slice(start + REPORT_START.length, end).trim();
}
