// Test helper for the real-client suite: saves what a real client sent as a fixture,
// e2e/clients/captures/<client>-<case>.json, when OFFLOAD_UPDATE_CAPTURES=1. Keys, tokens, the
// machine's device id and the run's temporary folders are replaced by placeholders; headers keep
// their order and case; bodies are the parsed JSON. Formatted with the project's Prettier settings.
import fs from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import type { RecordedExchange } from "./recording-proxy";

export const CAPTURES_DIR = path.join(import.meta.dirname, "captures");

export const shouldUpdateCaptures = () => process.env.OFFLOAD_UPDATE_CAPTURES === "1";

export type CaptureInfo = {
  client: string;
  clientVersion: string;
  caseName: string;
  /** The command line, with placeholders. */
  command: string[];
  /** Literal strings to replace everywhere (the agent's key, temp folders...), longest first. */
  replacements: Record<string, string>;
  note?: string;
};

function parse(body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function scrub(text: string, replacements: Record<string, string>): string {
  let out = text;
  const pairs = Object.entries(replacements).sort(([a], [b]) => b.length - a.length);
  for (const [literal, placeholder] of pairs) if (literal) out = out.split(literal).join(placeholder);
  // Claude Code's metadata.user_id carries a per-machine device id (hex); JSON inside a JSON string.
  out = out.replace(/(device_id\\*":\\*")[0-9a-f]{16,}/g, "$1<device-id>");
  return out;
}

/** Writes the capture when OFFLOAD_UPDATE_CAPTURES=1; returns its path, or null when not asked to. */
export async function writeCapture(info: CaptureInfo, exchanges: RecordedExchange[]): Promise<string | null> {
  if (!shouldUpdateCaptures()) return null;
  const capture = {
    client: info.client,
    clientVersion: info.clientVersion,
    case: info.caseName,
    command: info.command,
    note:
      info.note ??
      "What the client sent to Offload (through a recording proxy), in order; response.status is what it got back.",
    requests: exchanges.map((e) => ({
      method: e.request.method,
      url: e.request.url,
      headers: e.request.rawHeaders,
      bodyBytes: e.request.body.length,
      body: parse(e.request.body),
      response: { status: e.response?.status ?? null, contentType: e.response?.headers["content-type"] ?? null },
    })),
  };
  const file = path.join(CAPTURES_DIR, `${info.client}-${info.caseName}.json`);
  const text = scrub(JSON.stringify(capture, null, 2), info.replacements);
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.mkdirSync(CAPTURES_DIR, { recursive: true });
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
  return file;
}
