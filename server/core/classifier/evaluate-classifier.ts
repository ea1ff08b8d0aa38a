// Precision and recall per tier of the routing the classifier leads to, over labelled tasks.
// "Routed" applies the same rule as decideRoute: a local verdict below the confidence floor goes
// to Claude.
import { classifyTask, type ClassifierTaskType, type Tier } from "./classify-task";
import { SEED_CATALOGUE } from "../catalogue";

export type LabelledTask = { title: string; description?: string; tier: Tier; taskType: string | null };

export type TierScore = { tier: Tier; support: number; predicted: number; precision: number; recall: number };

export type ClassifierEvaluation = {
  total: number;
  tierAccuracy: number;
  taskTypeAccuracy: number;
  tiers: TierScore[];
  /** confusion[labelled][routed] */
  confusion: number[][];
  /** Tier-3 work routed to a local lane: the failure that matters most. */
  reasoningSentLocal: LabelledTask[];
};

function routedTier(tier: Tier, confidence: number, minConfidence: number): Tier {
  return tier !== 3 && confidence < minConfidence ? 3 : tier;
}

export function evaluateClassifier(
  rows: readonly LabelledTask[],
  minConfidence: number,
  catalogue: readonly ClassifierTaskType[] = SEED_CATALOGUE,
): ClassifierEvaluation {
  const confusion = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  let typeOk = 0;
  const reasoningSentLocal: LabelledTask[] = [];
  for (const row of rows) {
    const c = classifyTask({ title: row.title, description: row.description }, catalogue);
    const routed = routedTier(c.tier, c.confidence, minConfidence);
    confusion[row.tier]![routed]!++;
    if (c.taskType === row.taskType) typeOk++;
    if (row.tier === 3 && routed !== 3) reasoningSentLocal.push(row);
  }
  const tiers = ([0, 1, 2, 3] as Tier[]).map((tier) => {
    const support = confusion[tier]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + r[tier]!, 0);
    const tp = confusion[tier]![tier]!;
    return { tier, support, predicted, precision: predicted ? tp / predicted : 0, recall: support ? tp / support : 0 };
  });
  const correct = tiers.reduce((s, t) => s + confusion[t.tier]![t.tier]!, 0);
  return {
    total: rows.length,
    tierAccuracy: rows.length ? correct / rows.length : 0,
    taskTypeAccuracy: rows.length ? typeOk / rows.length : 0,
    tiers,
    confusion,
    reasoningSentLocal,
  };
}
