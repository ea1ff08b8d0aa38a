// The labelled task sets kept in the repo (server/core/classifier/data/*.jsonl):
//   train: written to tune the lexicon; dev: a first held-out set, measured once, then used for
//   tuning too; test: written last, blind to the classifier, and only measured.
//   agent-turns-dev / agent-turns-test: instructions as agents receive them, each with the client
//   that sends it, written by an author who never read the classifier; read here through the
//   client's real wrapper and the turn reader (wrap-labelled-turn.ts). -dev may be tuned on;
//   -test is only measured.
import fs from "node:fs";
import path from "node:path";
import type { LabelledTask } from "@/server/core/classifier/evaluate-classifier";
import { readWrapped, type LabelledAgentTurn } from "./wrap-labelled-turn";

export const LABELLED_SETS = ["train", "dev", "test", "agent-turns-dev", "agent-turns-test"] as const;
export type LabelledSetName = (typeof LABELLED_SETS)[number];

/** The sets no tuning may look at: the quality floor test guards them and pins their content. */
export const HELD_OUT_SETS = ["test", "agent-turns-test"] as const satisfies readonly LabelledSetName[];

export const labelledDataDir = path.join(import.meta.dirname, "..", "core", "classifier", "data");

function readLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: ${(err as Error).message}`, { cause: err });
      }
    });
}

export function readLabelledSet(name: LabelledSetName): LabelledTask[] {
  const file = path.join(labelledDataDir, `${name}.jsonl`);
  if (!fs.existsSync(file)) return [];
  if (!name.startsWith("agent-turns")) return readLines<LabelledTask>(file);
  // An agent turn is classified on what the gateway reads from its wrapped request.
  return readLines<LabelledAgentTurn>(file).map((row) => ({
    title: readWrapped(row).instruction,
    tier: row.tier,
    taskType: row.taskType,
  }));
}
