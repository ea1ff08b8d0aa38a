// Text -> stemmed word tokens, the classifier's only view of a task. A light suffix stemmer, so
// "reviewing", "reviews" and "reviewed" meet "review", and British and American spellings meet.
// Words that are content rather than instruction are marked: a quoted literal ("write 'root cause:
// DNS' to notes.txt", "commit as 'refactor: split the parser'") and a name (a path, a branch, a
// file's stem, a #channel or @handle: "PLAN.md", "src/parser/", "feature/login-form", "#design").
// A file's extension stays an ordinary word: ".log" says the file is a log.

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
  /** Index in `words` of each token inside a quoted literal or a name: content, not instruction. */
  literal: ReadonlySet<number>;
};

// A word (apostrophes inside it dropped: "don't" is "dont"), or a sentence boundary: a line break,
// or . ; ! ? : followed by space or the end.
const TOKEN = /([a-z0-9_]+)((?:['’][a-z0-9_]+)*)|(\n|[.;!?:](?=\s|$))/g;
const APOSTROPHES = /['’]/g;

// A quoted literal: a quote opened after a space or bracket (OPENS_AFTER), closed before a space,
// punctuation or the end (QUOTE_REST, tried from just after the opening quote).
const QUOTE_OPEN = /["“'‘]/g;
const OPENS_AFTER = /[\s([{=]/;
const QUOTE_REST = /(?:[^"“”'‘’\n]|\b['’]\b){1,300}?["”'’](?=$|[\s.,;:!?)\]}])/y;
// What may not sit in a name (a path, a file name, a #channel): spaces, quotes, brackets, commas.
const NOT_IN_NAME = new Set([..." \t\n\r\u00a0\"“”'‘’`()[]{}<>,;"].map((ch) => ch.charCodeAt(0)));
const inName = (code: number) => !NOT_IN_NAME.has(code);
// "pass/fail", "pros/cons", "and/or": a pair of plain words is a choice, not a path.
const WORD_PAIR = /^[a-z]+\/[a-z]+$/;
// A file name or dotted name: its extension (the last part) stays an ordinary word.
const FILE_NAME = /^\.?[\w-]+(?:\.[\w-]+)*\.[a-z][a-z0-9]{0,5}$/;
const EXTENSION = /\.[a-z][a-z0-9]{0,5}$/;
// A / # @, or a dot followed by a letter (most dots end a sentence).
const NAME_MARK = /[/#@]|\.(?=[a-z])/g;
const QUOTE = /["“'‘]/;
const JSON_PAYLOAD = /^\s*\[?\s*\{/;
const NO_LITERALS: ReadonlySet<number> = new Set<number>();

/** The literal part [start, end) of the name holding `chunk` at `start`, or null when it is no name. */
function nameRange(chunk: string, start: number): [number, number] | null {
  const lead = /^[^\w#@~./]+/.exec(chunk)?.[0].length ?? 0;
  const name = chunk.slice(lead).replace(/[.:!?*]+$/, "");
  if (!name) return null;
  const from = start + lead;
  if (name[0] === "#" || name[0] === "@" || /\w@\w/.test(name)) return [from, from + name.length];
  if (name.includes("/")) {
    if (WORD_PAIR.test(name)) return null;
    const ext = /\/[^/]*\w\.[a-z][a-z0-9]{0,5}$/.test(name) ? EXTENSION.exec(name)![0].length : 0;
    return [from, from + name.length - ext];
  }
  if (FILE_NAME.test(name)) return [from, from + name.length - EXTENSION.exec(name)![0].length];
  return null;
}

/** Character ranges [start, end) of the literal text, quoted literals and names, as pairs sorted by start. */
function literalRanges(lower: string): number[] {
  const ranges: number[] = [];
  // A JSON payload's quotes are its structure, not literals.
  if (QUOTE.test(lower) && !JSON_PAYLOAD.test(lower)) {
    QUOTE_OPEN.lastIndex = 0;
    for (let m = QUOTE_OPEN.exec(lower); m !== null; m = QUOTE_OPEN.exec(lower)) {
      if (m.index > 0 && !OPENS_AFTER.test(lower[m.index - 1]!)) continue;
      QUOTE_REST.lastIndex = m.index + 1;
      if (!QUOTE_REST.test(lower)) continue;
      ranges.push(m.index, QUOTE_REST.lastIndex);
      QUOTE_OPEN.lastIndex = QUOTE_REST.lastIndex;
    }
  }
  const quoted = ranges.length;
  // Each chunk holding a / # @ or dot, found from its mark and widened to its ends (linear in the text).
  let scannedTo = 0;
  NAME_MARK.lastIndex = 0;
  for (let m = NAME_MARK.exec(lower); m !== null; m = NAME_MARK.exec(lower)) {
    if (m.index < scannedTo) continue;
    let a = m.index;
    let b = m.index + 1;
    while (a > 0 && inName(lower.charCodeAt(a - 1))) a--;
    while (b < lower.length && inName(lower.charCodeAt(b))) b++;
    scannedTo = b;
    const range = nameRange(lower.slice(a, b), a);
    if (range) ranges.push(range[0], range[1]);
  }
  if (quoted > 0 && ranges.length > quoted) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
    pairs.sort((x, y) => x[0] - y[0]);
    ranges.length = 0;
    for (const [x, y] of pairs) ranges.push(x, y);
  }
  return ranges;
}

export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const starts = new Set<number>([0]);
  const lower = text.toLowerCase();
  const ranges = literalRanges(lower);
  let literal: Set<number> | null = null;
  let r = 0;
  let atStart = true;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
    const raw = m[1];
    if (raw === undefined) {
      atStart = true;
      continue;
    }
    const word = m[2] ? raw + m[2].replace(APOSTROPHES, "") : raw;
    if (STOPWORDS.has(word)) continue;
    if (atStart) {
      starts.add(words.length);
      atStart = false;
    }
    while (r < ranges.length && ranges[r + 1]! <= m.index) r += 2;
    if (r < ranges.length && ranges[r]! <= m.index) (literal ??= new Set()).add(words.length);
    words.push(stem(word));
  }
  return { words, starts, literal: literal ?? NO_LITERALS };
}

/** Stems a phrase from the lexicon the same way as task text (stopwords dropped). */
export function phraseKey(phrase: string): string {
  return tokenize(phrase).words.join(" ");
}
