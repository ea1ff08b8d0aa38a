// Writing config edits into the text of openclaw.json, and the diff the operator approves. A file
// that reads as JSON with comments is edited in place (comments, order and indentation kept); one that
// needs JSON5 (unquoted keys, single quotes) is parsed and written back as plain JSON.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import JSON5 from "json5";
import { applyEdits, modify, parse, type FormattingOptions, type ParseError } from "jsonc-parser";
import { writeAtPath } from "./json-path";
import type { ConfigEdit } from "./openclaw-types";
import { redactSecrets } from "./redact-secrets";

/** The file's own indentation (its first indented key or bracket, not a comment) and line ends, for what jsonc-parser inserts. */
function readFormatting(text: string): FormattingOptions {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const indent = /^([ \t]+)["'\w{}[\]]/m.exec(text)?.[1] ?? "  ";
  return indent.startsWith("\t")
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol };
}

/** The text with the edits made; `keptLayout` false when the file had to be rewritten as JSON (comments lost). */
export function applyConfigEdits(text: string, edits: readonly ConfigEdit[]): { text: string; keptLayout: boolean } {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  let body = text.slice(bom.length);
  const errors: ParseError[] = [];
  parse(body, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length === 0) {
    const formattingOptions = readFormatting(body);
    for (const edit of edits) body = applyEdits(body, modify(body, edit.path, edit.value, { formattingOptions }));
    return { text: bom + body, keptLayout: true };
  }
  const config = JSON5.parse(body) as Record<string, unknown>;
  for (const edit of edits) writeAtPath(config, edit.path, structuredClone(edit.value));
  return { text: `${JSON.stringify(config, null, 2)}\n`, keptLayout: false };
}

/** A unified diff of the file before and after (from its `---`/`+++` headers); empty when nothing changed. */
export function diffConfig(before: string, after: string, fileName: string): string {
  if (before === after) return "";
  // Shown on a terminal and a page: the file's own credentials stay out of it.
  return redactSecrets(
    createTwoFilesPatch(fileName, fileName, before, after, undefined, undefined, {
      headerOptions: FILE_HEADERS_ONLY,
    }),
  );
}
