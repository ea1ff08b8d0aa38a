// Shape limits on a JSON body, checked on its bytes before anything parses or walks it: nesting
// depth, the longest string, the most items in one array or keys in one object, and no duplicate
// keys (Offload reads the last of two "model" keys, another parser may read the first). One pass,
// iterative (no recursion, so no "Maximum call stack size exceeded"), and it stops at the first
// breach: a 32 MB body of "[[[[..." is refused after 65 bytes instead of costing seconds of
// JSON.parse. Bytes that are not valid JSON pass through untouched: JSON.parse names that problem.
import { HttpError } from "./http-error";

export type JsonLimits = {
  /** Containers inside containers: `{"a":[1]}` is 2 deep. */
  maxDepth: number;
  /** Bytes between a string's quotes, as sent (escapes count as written). */
  maxStringBytes: number;
  /** Items of one array or keys of one object. */
  maxItems: number;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** Keys of one object kept in a list up to this many, then in a set. */
const LIST_KEYS = 16;
/** How much of a path an error shows. */
const PATH_SEGMENT_CHARS = 40;
const PATH_SEGMENTS_SHOWN = 8;

const utf8 = new TextDecoder();

/** A Buffer over the same memory as `bytes` (no copy), for its native string slices. */
const bufferOf = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A key's text as JSON.parse would read it: escapes resolved, non-ASCII decoded. */
function keyText(bytes: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === BACKSLASH || b >= 0x80) {
      plain = false;
      break;
    }
  }
  // ASCII with no escape: its bytes are its characters. (A native slice: building the string from
  // the bytes in JavaScript was two thirds of this check's time on the real clients' requests.)
  if (plain) return bytes.toString("latin1", start, end);
  try {
    return JSON.parse(utf8.decode(bytes.subarray(start - 1, end + 1))) as string;
  } catch {
    return utf8.decode(bytes.subarray(start, end));
  }
}

/** The quote closing the string opened at `open`: the next one not escaped by an odd run of backslashes; -1 if none. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = bytes.indexOf(QUOTE, from);
    if (q < 0) return -1;
    let k = q - 1;
    while (k > open && bytes[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q + 1;
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** Throws a 400 naming the place and the limit when `bytes` (a JSON text) breaks one of `limits`. */
export function checkJsonLimits(bytes: Uint8Array, limits: JsonLimits): void {
  let buffer: Buffer | null = null;
  const textOf = (start: number, end: number) => keyText((buffer ??= bufferOf(bytes)), start, end);
  const levels = limits.maxDepth + 2;
  const isObject = new Uint8Array(levels);
  /** Commas seen at each level: the items (or keys) so far, less one. */
  const commas = new Uint32Array(levels);
  /** The current key of each object level, as byte offsets (for naming the path). */
  const keyStart = new Int32Array(levels);
  const keyEnd = new Int32Array(levels);
  const keys: (string[] | Set<string> | null)[] = new Array<null>(levels).fill(null);
  let depth = 0;
  let expectKey = false;

  /** The path to the value open at `upTo` levels: keys and array indexes, as zod names fields. */
  const pathTo = (upTo: number): string[] => {
    const out: string[] = [];
    for (let d = 1; d <= upTo; d++) {
      if (!isObject[d]) out.push(String(commas[d]));
      else if (keyStart[d]! < 0) out.push("?");
      else {
        const k = textOf(keyStart[d]!, keyEnd[d]!);
        out.push(k.length > PATH_SEGMENT_CHARS ? `${k.slice(0, PATH_SEGMENT_CHARS)}…` : k);
      }
    }
    return out;
  };
  const fail = (segments: string[], problem: string): never => {
    const shown =
      segments.length > PATH_SEGMENTS_SHOWN
        ? [
            ...segments.slice(0, PATH_SEGMENTS_SHOWN - 1),
            `…(${segments.length - PATH_SEGMENTS_SHOWN} more)`,
            segments.at(-1)!,
          ]
        : segments;
    const field = shown.join(".");
    throw new HttpError(
      400,
      "invalid_request_error",
      field ? `${field}: ${problem}` : `the request body: ${problem}`,
      field || undefined,
    );
  };

  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      const end = closingQuote(bytes, i);
      if (end < 0) return; // unterminated: JSON.parse says so
      const isKey = expectKey && depth > 0 && isObject[depth] === 1;
      if (end - i - 1 > limits.maxStringBytes) {
        const where = pathTo(isKey ? depth - 1 : depth);
        fail(where, `${isKey ? "a key" : "a string"} longer than ${plural(limits.maxStringBytes, "byte")}`);
      }
      if (isKey) {
        keyStart[depth] = i + 1;
        keyEnd[depth] = end;
        const key = textOf(i + 1, end);
        const seen = keys[depth] ?? null;
        if (seen === null) keys[depth] = [key];
        else if (Array.isArray(seen)) {
          if (seen.includes(key)) fail(pathTo(depth - 1), `duplicate key "${key.slice(0, PATH_SEGMENT_CHARS)}"`);
          seen.push(key);
          if (seen.length > LIST_KEYS) keys[depth] = new Set(seen);
        } else {
          if (seen.has(key)) fail(pathTo(depth - 1), `duplicate key "${key.slice(0, PATH_SEGMENT_CHARS)}"`);
          seen.add(key);
        }
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    switch (c) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (depth + 1 > limits.maxDepth) fail(pathTo(depth), `nested deeper than ${limits.maxDepth} levels`);
        depth++;
        isObject[depth] = c === OPEN_OBJECT ? 1 : 0;
        commas[depth] = 0;
        keyStart[depth] = -1;
        keys[depth] = null;
        expectKey = c === OPEN_OBJECT;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (depth === 0) return; // unbalanced: JSON.parse says so
        keys[depth] = null;
        depth--;
        expectKey = false;
        break;
      case COMMA:
        if (depth === 0) return;
        if (++commas[depth]! >= limits.maxItems)
          fail(
            pathTo(depth - 1),
            isObject[depth]
              ? `more than ${plural(limits.maxItems, "key")} in one object`
              : `more than ${plural(limits.maxItems, "item")} in one array`,
          );
        if (isObject[depth]) expectKey = true;
        break;
    }
    i++;
  }
}
