// How the Fleet page's OpenClaw panel words what the server returns: an error naming its field, and
// the class of each diff line (the server hides credentials in diffs: core/openclaw/redact-secrets.ts).

/** A tRPC error as one line naming the field at fault by its label on the page (the server's words kept). */
export function describeError(
  err: { message: string; data?: unknown },
  labels: Record<string, string>,
  fallbackField: string,
): string {
  const field = (err.data as { field?: string | null } | undefined)?.field || fallbackField;
  const message = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
  const label = labels[field] ?? field;
  // "OpenClaw config /x/openclaw.json: no such file" names its field already.
  if (message.toLowerCase().startsWith(label.toLowerCase())) return spellLocation(message);
  return `${label}: ${spellLocation(message)}`;
}

/** A parse error's `openclaw.json:3:5: message` as `openclaw.json, line 3, column 5: message`. */
export function spellLocation(message: string): string {
  const m = /^([^\n:]+):(\d+):(\d+): ([\s\S]*)$/.exec(message);
  return m ? `${m[1]}, line ${m[2]}, column ${m[3]}: ${m[4]}` : message;
}

/** The class of one unified-diff line: added, removed, a hunk header, or context. */
export function diffLineClass(line: string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return "text-zinc-500";
  if (line.startsWith("+")) return "bg-green-50 text-green-800 dark:bg-green-950/40 dark:text-green-300";
  if (line.startsWith("-")) return "bg-red-50 text-red-800 dark:bg-red-950/40 dark:text-red-300";
  if (line.startsWith("@@")) return "text-sky-700 dark:text-sky-300";
  return "";
}
