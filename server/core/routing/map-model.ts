// Operator model mappings: the one audited exception to "the Claude lane serves the model the agent
// asked for". A mapping replaces a requested Claude model with another (opus to sonnet, say), for
// the whole fleet, one agent, one task type, or one agent's task type. The most specific mapping
// wins; among equally specific ones, the first in the list.

export type ModelMapping = {
  /** The requested model (exact, as the agent sends it: `claude-opus-4-6`). */
  from: string;
  /** The model served instead. */
  to: string;
  /** Only for this agent (null: every agent). */
  agentId: string | null;
  /** Only for turns of this task type (null: every task type). */
  taskTypeId: string | null;
};

export type MappedModel = { model: string; mapping: ModelMapping | null };

function specificity(m: ModelMapping): number {
  return (m.agentId === null ? 0 : 2) + (m.taskTypeId === null ? 0 : 1);
}

/** The model to serve for a requested one, and the mapping that chose it (null: served as requested). */
export function mapModel(
  requested: string,
  turn: { agentId: string; taskTypeId: string | null },
  mappings: readonly ModelMapping[],
): MappedModel {
  let best: ModelMapping | null = null;
  for (const m of mappings) {
    if (m.from !== requested) continue;
    if (m.agentId !== null && m.agentId !== turn.agentId) continue;
    if (m.taskTypeId !== null && m.taskTypeId !== turn.taskTypeId) continue;
    if (!best || specificity(m) > specificity(best)) best = m;
  }
  return best && best.to !== requested ? { model: best.to, mapping: best } : { model: requested, mapping: null };
}
