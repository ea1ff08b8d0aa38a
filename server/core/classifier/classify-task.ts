// The classifier for tasks nobody labelled: free text in, a task type from the catalogue (or none),
// a tier and a confidence out. Word and phrase evidence per task type (lexicon.ts), a bonus for the
// verb a sentence starts with, then a conservative decision: reasoning evidence sends the task to
// Claude unless mechanical evidence clearly outweighs it. No network, no allocation-heavy work:
// a decision takes a few microseconds.
import { LANE_TIER, type Lane } from "../lanes";
import { SEED_CATALOGUE } from "../catalogue";
import { LEXICON, PATTERNS, PSEUDO_TIER, REASONING, type PatternRule } from "./lexicon";
import { phraseKey, tokenize } from "./tokenize";

export type Tier = 0 | 1 | 2 | 3;

export type ClassifierInput = {
  title?: string | null;
  description?: string | null;
  /** From the gateway: the last user message's text (the turn's actual request). */
  lastUserText?: string | null;
};

export type Classification = {
  /** A catalogue task type id, or null when no type fits (the tier may still be known). */
  taskType: string | null;
  tier: Tier;
  /** 0..1: how far the winner stands above the best alternative from another tier. */
  confidence: number;
  /** The phrases that decided it, for explanations. */
  evidence: string[];
};

/** A task type the classifier may return, with the lane that decides its tier. */
export type ClassifierTaskType = { id: string; name: string; lane: Lane; examples?: readonly string[] };

/** Tunables, exported for the tests and the evaluation report. */
const CLASSIFIER_TUNING = {
  /** Leading-verb multiplier for phrases that start a sentence. */
  leadBonus: 1.5,
  /** Reasoning evidence needed before Claude is considered. */
  claudeMin: 3,
  /** Claude wins unless local evidence beats it by more than this. */
  claudeBias: 1.5,
  /** Reasoning evidence this strong sends the task to Claude whatever else it says. */
  claudeStrong: 7,
  /** Local evidence needed to name a local task type at all. */
  localMin: 2,
  /** Confidence scale: margin at which confidence reaches ~0.63. */
  marginScale: 2,
  /** Most characters of each text looked at (heads and tails of long prompts). */
  maxChars: 4_000,
  /** Weight of a phrase made only of literal words (a quoted value, a path, a branch, a #channel). */
  literalWeight: 0.25,
} as const;

type Hit = { type: string; weight: number };
type Compiled = {
  phrases: Map<string, Hit[]>;
  /** Every proper word-prefix of a multi-word phrase: an n-gram is only extended while it is one. */
  prefixes: Set<string>;
  maxN: number;
  patterns: readonly PatternRule[];
  /** One pass over the text finds every pattern hint in it (see hintsIn). */
  hintScan: RegExp;
  /** For each hint the scan can report: the hints it contains as a prefix (itself included). */
  hintPrefixes: Map<string, string[]>;
  tierOf: Map<string, Tier>;
};

function addPhrase(phrases: Map<string, Hit[]>, phrase: string, type: string, weight: number): number {
  const key = phraseKey(phrase);
  if (!key) return 0;
  const hits = phrases.get(key) ?? [];
  const existing = hits.find((h) => h.type === type);
  if (existing) existing.weight = Math.max(existing.weight, weight);
  else hits.push({ type, weight });
  phrases.set(key, hits);
  return key.split(" ").length;
}

function compile(catalogue: readonly ClassifierTaskType[]): Compiled {
  const phrases = new Map<string, Hit[]>();
  let maxN = 1;
  const tierOf = new Map<string, Tier>();
  for (const t of catalogue) {
    tierOf.set(t.id, LANE_TIER[t.lane]);
    const entries = LEXICON[t.id];
    if (entries) {
      for (const [phrase, weight] of entries) maxN = Math.max(maxN, addPhrase(phrases, phrase, t.id, weight));
    } else {
      // An operator's own task type: its name and examples are its vocabulary.
      for (const phrase of [t.name, ...(t.examples ?? [])])
        maxN = Math.max(maxN, Math.min(4, addPhrase(phrases, phrase, t.id, 3)));
      for (const word of [t.name, ...(t.examples ?? [])].flatMap((p) => phraseKey(p).split(" "))) {
        if (word.length >= 4) addPhrase(phrases, word, t.id, 1);
      }
    }
  }
  for (const [pseudo, tier] of Object.entries(PSEUDO_TIER)) {
    for (const [phrase, weight] of LEXICON[pseudo]!) maxN = Math.max(maxN, addPhrase(phrases, phrase, pseudo, weight));
    tierOf.set(pseudo, tier);
  }
  const prefixes = new Set<string>();
  for (const key of phrases.keys()) {
    const parts = key.split(" ");
    for (let n = 1; n < parts.length; n++) prefixes.add(parts.slice(0, n).join(" "));
  }
  const patterns = PATTERNS.filter((p) => tierOf.has(p.taskType));
  // Longest first: at each position the scan reports the longest hint there, and every shorter hint
  // matching at the same position is a prefix of it.
  const hints = [...new Set(patterns.flatMap((p) => p.anyOf))].sort((a, b) => b.length - a.length);
  const escaped = hints.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const hintScan = new RegExp(hints.length ? escaped.join("|") : "(?!)", "g");
  const hintPrefixes = new Map(hints.map((h) => [h, hints.filter((o) => h.startsWith(o))]));
  return { phrases, prefixes, maxN, patterns, hintScan, hintPrefixes, tierOf };
}

const compiledCache = new WeakMap<readonly ClassifierTaskType[], Compiled>();
const seedCatalogue: readonly ClassifierTaskType[] = SEED_CATALOGUE;

function compiledFor(catalogue: readonly ClassifierTaskType[]): Compiled {
  let c = compiledCache.get(catalogue);
  if (!c) {
    c = compile(catalogue);
    compiledCache.set(catalogue, c);
  }
  return c;
}

const isPseudo = (type: string) => type.startsWith("_");

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n${text.slice(-half)}`;
}

/** Hits as a flat list (type, phrase, type, phrase, ...): evidence is only assembled for the winner. */
type HitLog = string[];

/** The pattern hints present in the text: one regex pass instead of a substring search per hint. */
function hintsIn(c: Compiled, lower: string): Set<string> {
  const found = new Set<string>();
  const scan = c.hintScan;
  scan.lastIndex = 0;
  for (let m = scan.exec(lower); m !== null; m = scan.exec(lower)) {
    for (const h of c.hintPrefixes.get(m[0])!) found.add(h);
    scan.lastIndex = m.index + 1;
  }
  return found;
}

function hasAny(found: Set<string>, hints: readonly string[]): boolean {
  for (const h of hints) if (found.has(h)) return true;
  return false;
}

function allLiteral(literal: ReadonlySet<number>, from: number, n: number): boolean {
  for (let k = from; k < from + n; k++) if (!literal.has(k)) return false;
  return true;
}

function score(c: Compiled, text: string, scores: Map<string, number>, evidence: HitLog): void {
  let lower = text.toLowerCase();
  // "git -C <dir> pull" is "git pull" run elsewhere.
  if (lower.includes("git -c ")) lower = lower.replace(/\bgit\s+-c\s+\S+/g, "git");
  const { words, starts, literal } = tokenize(lower);
  // Phrases counted so far: true once counted in full, false when only as a literal.
  const seen = new Map<string, boolean>();
  // The end of the longest phrase counted so far: a phrase inside a longer one adds nothing
  // ("review" inside "code review", "forward" inside "fast forward").
  let coveredEnd = -1;
  const keys: string[] = [];
  for (let i = 0; i < words.length; i++) {
    keys.length = 0;
    let key = "";
    for (let n = 1; n <= c.maxN && i + n <= words.length; n++) {
      key = n === 1 ? words[i]! : `${key} ${words[i + n - 1]}`;
      keys.push(key);
      if (!c.prefixes.has(key)) break;
    }
    for (let n = keys.length; n >= 1; n--) {
      const key = keys[n - 1]!;
      const hits = c.phrases.get(key);
      if (!hits) continue;
      const isLiteral = literal.size > 0 && allLiteral(literal, i, n);
      const counted = seen.get(key);
      if (counted === true || (counted === false && isLiteral)) continue;
      seen.set(key, !isLiteral);
      if (coveredEnd >= i + n) continue;
      coveredEnd = i + n;
      const lead = isLiteral ? CLASSIFIER_TUNING.literalWeight : starts.has(i) ? CLASSIFIER_TUNING.leadBonus : 1;
      for (const h of hits) {
        scores.set(h.type, (scores.get(h.type) ?? 0) + (h.weight > 0 ? h.weight * lead : h.weight));
        if (h.weight > 0) evidence.push(h.type, isLiteral ? `'${key}'` : key);
      }
    }
  }
  const hints = hintsIn(c, lower);
  for (const p of c.patterns) {
    if (hasAny(hints, p.anyOf) && p.pattern.test(lower)) {
      scores.set(p.taskType, (scores.get(p.taskType) ?? 0) + p.weight);
      evidence.push(p.taskType, `pattern:${p.id}`);
    }
  }
}

function confidenceOf(margin: number, winner: number): number {
  const byMargin = 1 - Math.exp(-Math.max(0, margin) / CLASSIFIER_TUNING.marginScale);
  const byStrength = 1 - Math.exp(-winner / 2);
  return Math.round(Math.min(0.99, byMargin, byStrength) * 100) / 100;
}

/** Classifies a task. `catalogue` defaults to the seed catalogue; pass the live one so lanes and an operator's own types count. */
export function classifyTask(
  input: ClassifierInput,
  catalogue: readonly ClassifierTaskType[] = seedCatalogue,
): Classification {
  const c = compiledFor(catalogue);
  const scores = new Map<string, number>();
  const evidence: HitLog = [];
  for (const text of [input.title, input.description, input.lastUserText]) {
    if (text && text.trim()) score(c, clip(text, CLASSIFIER_TUNING.maxChars), scores, evidence);
  }

  // Best local (tiers 0-2) type, best Claude type, and the reasoning evidence that names no type.
  let localType: string | null = null;
  let local = 0;
  let claudeType: string | null = null;
  let claudeTypeScore = 0;
  const tierBest: [number, number, number, number] = [0, 0, 0, 0];
  for (const [type, s] of scores) {
    if (type === REASONING || s <= 0) continue; // reasoning adds to Claude below
    const tier = c.tierOf.get(type);
    if (tier === undefined) continue;
    if (s > tierBest[tier]) tierBest[tier] = s;
    if (tier === 3) {
      if (s > claudeTypeScore) [claudeType, claudeTypeScore] = [type, s];
    } else if (s > local) {
      [localType, local] = [type, s];
    }
  }
  const reasoning = Math.max(0, scores.get(REASONING) ?? 0);
  const claude = claudeTypeScore + reasoning;
  tierBest[3] = claude;

  const evidenceOf = (...types: (string | null)[]) => {
    const out: string[] = [];
    for (let i = 0; i < evidence.length; i += 2) if (types.includes(evidence[i]!)) out.push(evidence[i + 1]!);
    return out;
  };

  if (
    claude >= CLASSIFIER_TUNING.claudeStrong ||
    (claude >= CLASSIFIER_TUNING.claudeMin && claude + CLASSIFIER_TUNING.claudeBias >= local)
  ) {
    return {
      taskType: claudeType,
      tier: 3,
      confidence: confidenceOf(claude + CLASSIFIER_TUNING.claudeBias - local, claude),
      evidence: evidenceOf(claudeType, REASONING),
    };
  }
  if (localType && local >= CLASSIFIER_TUNING.localMin) {
    const tier = c.tierOf.get(localType)!;
    const runnerUp = Math.max(
      ...tierBest.slice(0, 3).filter((_, t) => t !== tier),
      claude >= CLASSIFIER_TUNING.claudeMin ? claude + CLASSIFIER_TUNING.claudeBias : claude,
    );
    const margin = local - runnerUp;
    return {
      taskType: isPseudo(localType) ? null : localType,
      tier,
      confidence: confidenceOf(margin, local),
      evidence: evidenceOf(localType),
    };
  }
  // Nothing recognisable: the default lane (Claude) with no confidence to speak of.
  return {
    taskType: claude > 0 ? claudeType : null,
    tier: 3,
    confidence: confidenceOf(claude, claude) * 0.5,
    evidence: evidenceOf(claudeType, REASONING),
  };
}
