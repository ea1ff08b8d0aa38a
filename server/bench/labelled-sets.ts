// The labelled task sets kept in the repo (server/core/classifier/data/*.jsonl):
//   train: written to tune the lexicon; dev: a first held-out set, measured once, then used for
//   tuning too; test: written last, blind to the classifier, and only measured.
import fs from "node:fs";
import path from "node:path";
import type { LabelledTask } from "@/server/core/classifier/evaluate-classifier";

export const LABELLED_SETS = ["train", "dev", "test"] as const;
export type LabelledSetName = (typeof LABELLED_SETS)[number];

const dataDir = path.join(import.meta.dirname, "..", "core", "classifier", "data");

export function readLabelledSet(name: LabelledSetName): LabelledTask[] {
  const file = path.join(dataDir, `${name}.jsonl`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as LabelledTask;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: ${(err as Error).message}`, { cause: err });
      }
    });
}
