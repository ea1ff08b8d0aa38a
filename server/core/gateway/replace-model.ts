// An operator's model mapping is the one change the Claude lane makes to a client's request: the
// top-level `model` string is replaced in the body's bytes, and every other byte (key order,
// spacing, number formats, escapes) stays as the client sent it. Works on UTF-8 bytes: every byte
// JSON's structure is made of is ASCII, which never occurs inside a multi-byte character.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Index just past the string that opens at `start` (a quote). */
function stringEnd(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === BACKSLASH) i += 2;
    else if (b === QUOTE) return i + 1;
    else i++;
  }
  return -1;
}

/** Where the last top-level `"key": "<string>"` value sits ([start, end) of the quoted value), or null. */
function findTopLevelString(bytes: Uint8Array, key: string): [number, number] | null {
  let depth = 0;
  let found: [number, number] | null = null;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      const end = stringEnd(bytes, i);
      if (end < 0) return null;
      if (depth === 1) {
        let j = end;
        while (j < bytes.length && isSpace(bytes[j]!)) j++;
        if (bytes[j] === COLON) {
          // A key: is it ours (escapes included)?
          let name: unknown;
          try {
            name = JSON.parse(decoder.decode(bytes.subarray(i, end)));
          } catch {
            return null;
          }
          j++;
          while (j < bytes.length && isSpace(bytes[j]!)) j++;
          if (name === key && bytes[j] === QUOTE) {
            const valueEnd = stringEnd(bytes, j);
            if (valueEnd < 0) return null;
            found = [j, valueEnd];
            i = valueEnd;
            continue;
          }
          i = j;
          continue;
        }
      }
      i = end;
      continue;
    }
    if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) depth--;
    i++;
  }
  return found;
}

/** The body with its top-level `model` set to `model`, or null when the body has no top-level model string. */
export function replaceModel(body: Uint8Array, model: string): Uint8Array | null {
  const at = findTopLevelString(body, "model");
  if (!at) return null;
  const value = encoder.encode(JSON.stringify(model));
  const out = new Uint8Array(body.length - (at[1] - at[0]) + value.length);
  out.set(body.subarray(0, at[0]), 0);
  out.set(value, at[0]);
  out.set(body.subarray(at[1]), at[0] + value.length);
  return out;
}
