// `npm run --silent classifier:report`: precision and recall per tier of the routing the classifier
// leads to, for each labelled set, as the markdown table in the README.
//   --write            also puts the table into README.md between its classifier-report markers
//                      (a test fails when the README's table is not the report's).
//   --misses SET...    lists every task of the named sets routed to the wrong tier (tuning sets
//                      only: the held-out sets are measured, never read while tuning).
import fs from "node:fs";
import path from "node:path";
import { classifyTask } from "@/server/core/classifier/classify-task";
import { SEED_CATALOGUE } from "@/server/core/catalogue";
import { DEFAULT_SETTINGS } from "@/server/core/settings-defaults";
import { HELD_OUT_SETS, LABELLED_SETS, readLabelledSet, type LabelledSetName } from "./labelled-sets";
import { classifierReport, replaceReportInReadme } from "./classifier-report-table";

const args = process.argv.slice(2);
const report = classifierReport();
console.log(report);

if (args.includes("--write")) {
  const readme = path.join(import.meta.dirname, "..", "..", "README.md");
  fs.writeFileSync(readme, replaceReportInReadme(fs.readFileSync(readme, "utf8"), report));
  console.log("\nREADME.md: table written");
}

const missesAt = args.indexOf("--misses");
if (missesAt >= 0) {
  const names = args.slice(missesAt + 1).filter((a) => !a.startsWith("--")) as LabelledSetName[];
  for (const name of names.length ? names : LABELLED_SETS.filter((n) => !HELD_OUT_SETS.includes(n as never))) {
    if (!LABELLED_SETS.includes(name)) throw new Error(`no labelled set "${name}"`);
    if (HELD_OUT_SETS.includes(name as never)) {
      console.log(`\n${name}: held out; its misses are not listed`);
      continue;
    }
    console.log(`\n## ${name}: routed to the wrong tier`);
    const min = DEFAULT_SETTINGS.classifierMinConfidence;
    for (const row of readLabelledSet(name)) {
      const c = classifyTask({ title: row.title, description: row.description }, SEED_CATALOGUE);
      const routed = c.tier !== 3 && c.confidence < min ? 3 : c.tier;
      if (routed === row.tier) continue;
      const text = `${row.title}${row.description ? ` // ${row.description}` : ""}`.replace(/\s+/g, " ");
      console.log(
        `- labelled ${row.tier} (${row.taskType ?? "-"}), routed ${routed} (${c.taskType ?? "-"} ${c.confidence.toFixed(2)} [${c.evidence.join(", ")}]): ${text.slice(0, 240)}`,
      );
    }
  }
}
