// Heartbeats recognised by what they are: the heartbeat prompts agent clients are known to send,
// their reply contracts (HEARTBEAT_OK, NO_REPLY when nothing needs attention), and the operator's
// own patterns (setting heartbeatPatterns: regex sources, matched case-insensitively).

export type HeartbeatMatch = {
  /** What recognised it, for the turn's reason: a known prompt, a reply contract, or the operator's pattern. */
  by: string;
};

export const KNOWN_HEARTBEATS: readonly { by: string; pattern: RegExp }[] = [
  { by: "OpenClaw's HEARTBEAT.md prompt", pattern: /\bread HEARTBEAT\.md if it exists\b/i },
  { by: "OpenClaw's heartbeat poll", pattern: /^\[OpenClaw heartbeat poll\]/i },
  {
    by: "OpenClaw's heartbeat monitor prompt",
    pattern: /\bheartbeat\b[\s\S]*\bif nothing needs attention,? reply NO_REPLY\b/i,
  },
  {
    by: "the HEARTBEAT_OK reply contract",
    pattern: /\b(?:reply|respond|answer)(?: only)?(?: with)? [`"']?HEARTBEAT_OK\b/i,
  },
  {
    by: "the NO_REPLY reply contract",
    pattern: /\bif nothing (?:needs attention|needs doing|to report),? (?:reply|respond)(?: with)? [`"']?NO_REPLY\b/i,
  },
];

const compiled = new Map<string, RegExp | null>();

/** An operator's pattern compiled once (null when it does not compile: settings validate it, so only a stale value). */
function operatorPattern(source: string): RegExp | null {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, "i");
    } catch {
      re = null;
    }
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

/** Whether an instruction is a heartbeat, and what said so; null when nothing does. */
export function recogniseHeartbeat(
  instruction: string,
  operatorPatterns: readonly string[] = [],
): HeartbeatMatch | null {
  const text = instruction.trim();
  if (!text) return null;
  for (const known of KNOWN_HEARTBEATS) if (known.pattern.test(text)) return { by: known.by };
  for (const source of operatorPatterns) {
    if (operatorPattern(source)?.test(text)) return { by: `the operator's heartbeat pattern /${source}/` };
  }
  return null;
}
