// Credentials out of what Offload shows of an OpenClaw config: a diff's context lines, or a whole
// file rewritten as JSON, may carry the file's own provider keys and tokens. Their values are
// replaced by `[hidden]`, except a value that only names a variable (`${VAR}`), which is no secret.

/** Keys whose values are credentials. */
const SECRET_VALUE =
  /(["']?[A-Za-z0-9_-]*(?:api[_-]?key|apikey|token|secret|password|passwd|authorization|bearer)[A-Za-z0-9_-]*["']?\s*:\s*)(["'])((?:\\.|(?!\2).)*)\2/gi;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_VALUE, (whole, key: string, quote: string, value: string) =>
    /^\$\{[A-Z0-9_]+\}$/.test(value) || value === "" ? whole : `${key}${quote}[hidden]${quote}`,
  );
}
