// Text -> stemmed word tokens, the classifier's only view of a task. A light suffix stemmer, so
// "reviewing", "reviews" and "reviewed" meet "review", and British and American spellings meet.

// Articles, pronouns and politeness only: prepositions stay, since "pass on" and "pass" differ.
const STOPWORDS = new Set([
  "a",
  "an",
  "the",
  "my",
  "our",
  "your",
  "his",
  "her",
  "their",
  "this",
  "that",
  "these",
  "those",
  "please",
  "pls",
  "plz",
  "it",
  "its",
  "me",
  "us",
  "i",
  "you",
  "just",
  "also",
  "some",
  "kindly",
  "hey",
  "hi",
  "quick",
  "quickly",
]);

const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 20_000;

/** Stems a word (memoised: agents repeat their vocabulary). */
export function stem(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  const stemmed = stemUncached(word);
  if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
  stemCache.set(word, stemmed);
  return stemmed;
}

function stemUncached(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  w = w.replace(/is(e|ed|es|ing)$/, "iz$1"); // summarise -> summarize
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  // running -> runn -> run; committed -> committ -> commit
  if (w.length > 3 && /([bdfgklmnprt])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

export type Tokens = {
  /** Stemmed tokens with stopwords removed, in order. */
  words: string[];
  /** Index in `words` of the first token of each sentence or line (imperative verbs start there). */
  starts: Set<number>;
};

// A word, or a sentence boundary: a line break, or . ; ! ? : followed by space or the end.
const TOKEN = /([a-z0-9_]+)|(\n|[.;!?:](?=\s|$))/g;

export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const starts = new Set<number>([0]);
  const lower = text.toLowerCase().replace(/['’`]/g, "");
  let atStart = true;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
    const raw = m[1];
    if (raw === undefined) {
      atStart = true;
      continue;
    }
    if (STOPWORDS.has(raw)) continue;
    if (atStart) {
      starts.add(words.length);
      atStart = false;
    }
    words.push(stem(raw));
  }
  return { words, starts };
}

/** Stems a phrase from the lexicon the same way as task text (stopwords dropped). */
export function phraseKey(phrase: string): string {
  return tokenize(phrase).words.join(" ");
}
