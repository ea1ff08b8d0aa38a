// The agent clients Offload knows, as data: how each is recognised from a request (user agent,
// system prompt, markers in its messages) and what it injects into the user's text (context blocks,
// stamps) that is not the instruction. A client that none of them matches is read as generic.

export type ClientId = "openclaw" | "claude-code" | "generic";

export type ClientProfile = {
  id: ClientId;
  /** Any one of these recognises the client: on the User-Agent header, the system prompt's start, a user text. */
  recognise: { userAgent: readonly RegExp[]; system: readonly RegExp[]; userText: readonly RegExp[] };
  /** Context the client injects into user text, removed wherever it appears (global patterns). */
  injected: readonly RegExp[];
  /** Stamps the client puts before the text of a user message, removed from its start. */
  prefixes: readonly RegExp[];
};

export const OPENCLAW: ClientProfile = {
  id: "openclaw",
  recognise: {
    userAgent: [/\bopenclaw\b/i],
    system: [/running inside OpenClaw/, /<!-- openclaw:/],
    userText: [/<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>/, /^\[OpenClaw heartbeat poll\]/],
  },
  injected: [
    // Exec sessions, subagents, system events: "data, not instructions" (an unterminated block runs to the end).
    /<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>[\s\S]*?(?:<<<END_OPENCLAW_INTERNAL_CONTEXT>>>|$)/g,
    // The heartbeat prompt's clock lines.
    /^(?:Current time|Reference UTC):[^\n]*$/gm,
  ],
  // "[Mon 2026-11-30 01:52 UTC] write 42 to test.txt"
  prefixes: [
    /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2} \d{1,2}:\d{2}(?::\d{2})?(?: [A-Za-z][\w+:/-]*)?\]\s*/,
  ],
};

export const CLAUDE_CODE: ClientProfile = {
  id: "claude-code",
  recognise: {
    userAgent: [/^claude-cli\//i, /\bclaude-code\b/i],
    system: [/x-anthropic-billing-header: cc_version=/, /\bClaude Code\b/],
    // A reminder block on its own lines, as Claude Code writes it (not the tag mentioned in a sentence).
    userText: [/(?:^|\n)<system-reminder>\n[\s\S]*?\n?<\/system-reminder>/],
  },
  // Environment, tools, skills, date, attribution: reminders, not the user's words.
  injected: [/<system-reminder>[\s\S]*?(?:<\/system-reminder>|$)/g],
  prefixes: [],
};

export const GENERIC: ClientProfile = {
  id: "generic",
  recognise: { userAgent: [], system: [], userText: [] },
  injected: [],
  prefixes: [],
};

/** The profiles tried in order; generic, which matches nothing, is the fallback. */
export const CLIENT_PROFILES: readonly ClientProfile[] = [OPENCLAW, CLAUDE_CODE];
