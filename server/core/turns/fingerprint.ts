// A turn's fingerprint: its instruction reduced to a template (the values that change from one
// run of a recurring task to the next removed: URLs, e-mail addresses, times and dates, ids, hashes,
// paths, quoted literals and numbers), hashed. The same cron job, heartbeat or chore gives the same
// fingerprint every time; a different instruction gives a different one. Pure and fast: it runs on
// every gateway turn.
import { hashText } from "./read-turn";

export type Fingerprint = {
  /** 16 hex digits: the hash of the whole template. */
  id: string;
  /** The template as an operator reads it, at most TEMPLATE_MAX characters. */
  template: string;
};

export const TEMPLATE_MAX = 300;
/** Only the instruction's start is fingerprinted: recurring instructions differ early if at all, and a pasted log can be 100 KB. */
const INSTRUCTION_HEAD = 4_000;

// Order matters: wider shapes first, so that a URL is not read as a path and a date not as numbers.
const REPLACEMENTS: readonly [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, "<url>"],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, "<email>"],
  // ISO timestamps and dates, clock times, weekday and month names with a day.
  [/\b\d{4}-\d{2}-\d{2}(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?\b/gi, "<time>"],
  [/\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]m)?(?:\s?(?:utc|gmt|[a-z]{3,4}t))?\b/gi, "<time>"],
  [/\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+(?=<time>)/gi, ""],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>"],
  // Hashes: 7+ hex digits with at least one digit and one letter (a git sha, a digest).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, "<hash>"],
  // Paths: with a slash (~/x, ./x, /x/y, a/b.c) or a file name with an extension.
  [/(?:~|\.{1,2})?(?:\/[\w.@%+-]+)+\/?|\b[\w.@%+-]+(?:\/[\w.@%+-]+)+\/?/g, "<path>"],
  [/\b[\w-]+\.(?:[a-z][a-z0-9]{0,5})\b/gi, "<path>"],
  // Quoted literals (a commit message, a value to write).
  [/"[^"\n]{0,200}"|“[^”\n]{0,200}”|`[^`\n]{0,200}`|(?<![a-z])'[^'\n]{0,200}'(?![a-z])/gi, "<text>"],
  // Ids with digits (ticket-123, #42, msg_01abc) and plain numbers.
  [/#\d+\b/g, "#<n>"],
  [/\b[a-z]+[_-](?=[a-z0-9_-]*\d)[a-z0-9_-]+\b/gi, "<id>"],
  [/\b\d+(?:[.,]\d+)*\b/g, "<n>"],
];

/** The instruction's template: lower case, values replaced by placeholders, whitespace collapsed. */
export function templateOf(instruction: string): string {
  let out = instruction.slice(0, INSTRUCTION_HEAD).toLowerCase();
  for (const [re, to] of REPLACEMENTS) out = out.replace(re, to);
  return out.replace(/\s+/g, " ").trim();
}

/** The fingerprint of an instruction; null for a turn with no instruction (nothing recurring to learn). */
export function fingerprintOf(instruction: string): Fingerprint | null {
  const template = templateOf(instruction);
  if (!template) return null;
  const shown = template.length > TEMPLATE_MAX ? `${template.slice(0, TEMPLATE_MAX - 1)}…` : template;
  return { id: hashText(template), template: shown };
}
