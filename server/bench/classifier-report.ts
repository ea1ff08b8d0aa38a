// `npm run --silent classifier:report`: precision and recall per tier of the routing the classifier
// leads to, for each labelled set, as the markdown table in the README.
import { evaluateClassifier } from "@/server/core/classifier/evaluate-classifier";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { LABELLED_SETS, readLabelledSet } from "./labelled-sets";

const f = (n: number) => n.toFixed(2);

console.log(`Minimum confidence to act on a local verdict: ${DEFAULT_SETTINGS.classifierMinConfidence}\n`);
console.log(
  "| set | tasks | tier accuracy | task type accuracy | tier 0 P / R | tier 1 P / R | tier 2 P / R | tier 3 P / R | tier 3 sent local |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const name of LABELLED_SETS) {
  const rows = readLabelledSet(name);
  if (!rows.length) continue;
  const e = evaluateClassifier(rows, DEFAULT_SETTINGS.classifierMinConfidence);
  const cells = e.tiers.map((t) => `${f(t.precision)} / ${f(t.recall)}`);
  console.log(
    `| ${name} | ${e.total} | ${f(e.tierAccuracy)} | ${f(e.taskTypeAccuracy)} | ${cells.join(" | ")} | ${e.reasoningSentLocal.length} |`,
  );
}
if (process.argv.includes("--misses")) {
  for (const name of LABELLED_SETS) {
    const e = evaluateClassifier(readLabelledSet(name), DEFAULT_SETTINGS.classifierMinConfidence);
    for (const r of e.reasoningSentLocal) console.log(`${name}: tier 3 sent local: ${r.title}`);
  }
}
