// Reading an OpenClaw config file (openclaw.json, JSON5): the parsed document, the text as read, and
// the `$include` directives it holds (docs/gateway/configuration/common-tasks.md "Split config into
// multiple files"), reported and never followed: the core reads no file.
import JSON5 from "json5";
import { OffloadError } from "../errors";
import { formatJsonPath, isRecord, type JsonPath } from "./json-path";
import type { OpenClawConfigFile, OpenClawParseErrorInfo } from "./openclaw-types";

/** A config that does not parse: an OffloadError (BAD_REQUEST on `config`) that also carries the line and column. */
export class OpenClawParseError extends OffloadError {
  override name = "OpenClawParseError";
  constructor(
    fileName: string,
    readonly info: OpenClawParseErrorInfo,
  ) {
    super("BAD_REQUEST", `${fileName}:${info.line}:${info.column}: ${info.message}`, "config");
  }
}

function describeSyntaxError(error: unknown): OpenClawParseErrorInfo {
  const { message, lineNumber, columnNumber } = error as {
    message?: string;
    lineNumber?: number;
    columnNumber?: number;
  };
  const text = String(message ?? error)
    .replace(/^JSON5: /, "")
    .replace(/ at \d+:\d+$/, "");
  return { message: text, line: lineNumber ?? 1, column: columnNumber ?? 1 };
}

function collectIncludes(value: unknown, path: JsonPath, found: OpenClawConfigFile["includes"]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => collectIncludes(item, [...path, index], found));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === "$include") {
      const targets = Array.isArray(child) ? child : [child];
      targets.forEach((target, index) => {
        const at = Array.isArray(child) ? [...path, key, index] : [...path, key];
        found.push({ path: formatJsonPath(at), target: typeof target === "string" ? target : JSON.stringify(target) });
      });
    } else {
      collectIncludes(child, [...path, key], found);
    }
  }
}

/** Parses an OpenClaw config; throws OpenClawParseError (`openclaw.json:3:5: invalid character ']'`) on a syntax error. */
export function parseOpenClawConfig(text: string, fileName = "openclaw.json"): OpenClawConfigFile {
  let config: unknown;
  try {
    config = JSON5.parse(text);
  } catch (error) {
    throw new OpenClawParseError(fileName, describeSyntaxError(error));
  }
  if (!isRecord(config)) {
    throw new OffloadError("BAD_REQUEST", `${fileName}: the top level must be an object ({ ... })`, "config");
  }
  const includes: OpenClawConfigFile["includes"] = [];
  collectIncludes(config, [], includes);
  return { config, text, includes };
}
