// The server's log: pino, one JSON object a line on stderr (stdout stays the data channel of the
// `offload` commands, which load the same modules), or, on a terminal, a short line a person reads.
// OFFLOAD_LOG_LEVEL and OFFLOAD_LOG_FORMAT (server/process/env.ts) set the level and the format.
//
// While an agent request is served (server/http/agent-routes.ts), every line carries the request's
// id, route and, once known, its agent, lane and turn id: they live in the request's store of the
// process's one request AsyncLocalStorage (the one server/auth/request-scope.ts keeps the client's
// address in; a second one would cost every promise of the process a little more) and pino's mixin
// adds them, so code deep in the gateway, the providers, the turn writer or the budgets logs with
// `log` and no parameter passed down.
//
// What never reaches the log: request bodies and prompt text (nothing logs them; fields named like
// them are censored anyway), keys, tokens, cookies and authorization headers (censored by name), and
// the extra fields of error objects (SDK and database errors carry headers, bodies and query
// values): an error is logged as its type, code, message (capped) and stack frames.
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import pino, { type Logger } from "pino";
import { readLogSettings, type LogLevel } from "./env";
import { processSlot } from "./process-registry";

/** What every line logged while serving one agent request carries. */
export type RequestLog = {
  /** Made when the request arrives: ties together the lines of a request that never becomes a turn. */
  reqId: string;
  /** The endpoint, e.g. /v1/messages. */
  route: string;
  agentId?: string;
  lane?: string;
  /** The turn being served: the x-offload-turn-id header and the Turn row (the Claude one after an escalation). */
  turnId?: string;
  /** The local turn an escalated Claude turn took over from. */
  escalatedFrom?: string;
};

type Sink = { write(line: string): void };

export type LogState = {
  logger: Logger;
  /** Where the lines go: stderr, as JSON or formatted, or a test's capture. */
  sink: Sink;
};

/** The store of the request being served (see server/auth/request-scope.ts); `log` only for agent requests. */
export type RequestStore = { address: string; log?: RequestLog };

const requestScope = (): AsyncLocalStorage<RequestStore> =>
  processSlot("requestScope", () => new AsyncLocalStorage<RequestStore>());

/** Censored wherever they appear as a field name, at the top of a line or up to two levels down. */
const SECRET_FIELDS = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "cookie",
  "set-cookie",
  "apiKey",
  "api_key",
  "key",
  "token",
  "password",
  "secret",
  // Prompt text and request bodies are never logged; should one be passed by mistake, it is censored.
  "body",
  "messages",
  "system",
  "prompt",
];

const fieldPath = (prefix: string, name: string) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? `${prefix}${prefix ? "." : ""}${name}` : `${prefix}["${name}"]`;

export const REDACTED_PATHS = SECRET_FIELDS.flatMap((name) => [
  fieldPath("", name),
  fieldPath("*", name),
  fieldPath("*.*", name),
]);

/** Error messages are capped: a database or network message is short; a long one is someone else's text. */
const MAX_ERROR_TEXT = 500;

const cap = (text: string) => (text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text);

type LoggedError = { type: string; message: string; code?: string; stack?: string; cause?: LoggedError };

/**
 * An error as logged: its type, code, message (capped) and stack frames (the stack without its first
 * line, which repeats the message). Not its other fields: an SDK error's headers and body, a
 * database error's query values.
 */
export function serializeError(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: cap(String(err)) };
  const code = (err as { code?: unknown }).code;
  const frames = err.stack
    ?.split("\n")
    .filter((line) => /^\s+at /.test(line))
    .join("\n");
  return {
    type: err.name,
    message: cap(err.message),
    ...(typeof code === "string" || typeof code === "number" ? { code: String(code) } : {}),
    ...(frames ? { stack: frames } : {}),
    ...(err.cause !== undefined && depth < 3 ? { cause: serializeError(err.cause, depth + 1) } : {}),
  };
}

type Line = Record<string, unknown> & { level?: string; msg?: string; err?: LoggedError };

const CONTEXT_KEYS: (keyof RequestLog)[] = ["reqId", "route", "agentId", "lane", "turnId", "escalatedFrom"];
const QUIET_KEYS = new Set(["level", "time", "pid", "hostname", "msg", "err", ...CONTEXT_KEYS]);

/** One JSON line as a person reads it: `offload: [warning: ]message: error (key=value ...)`, and the stack of an error. */
export function formatLine(json: string): string {
  let line: Line;
  try {
    line = JSON.parse(json) as Line;
  } catch {
    return json;
  }
  const prefix = line.level === "warn" ? "warning: " : line.level === "error" ? "error: " : "";
  let text = `offload: ${prefix}${line.msg ?? ""}`;
  if (line.err) text += `: ${line.err.message}`;
  const fields = [...Object.keys(line).filter((k) => !QUIET_KEYS.has(k)), ...CONTEXT_KEYS]
    .filter((k) => line[k] !== undefined)
    .map((k) => `${k}=${typeof line[k] === "string" ? (line[k] as string) : JSON.stringify(line[k])}`);
  if (fields.length) text += ` (${fields.join(" ")})`;
  if (line.err?.stack && (line.level === "error" || line.level === "fatal")) text += `\n${line.err.stack}`;
  return `${text}\n`;
}

function stderrSink(format: "json" | "pretty" | undefined): Sink {
  const out = pino.destination({ dest: 2, sync: true });
  const pretty = format === "pretty" || (format === undefined && process.stderr.isTTY === true);
  return pretty ? { write: (line) => out.write(formatLine(line)) } : out;
}

function createLog(): LogState {
  const settings = readLogSettings();
  const scope = requestScope();
  const state = { sink: stderrSink(settings.format) } as LogState;
  state.logger = pino(
    {
      level: settings.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      // The request's fields, copied (pino merges the line's own fields into what this returns).
      mixin: () => {
        const request = scope.getStore()?.log;
        return request ? { ...request } : {};
      },
    },
    { write: (line: string) => state.sink.write(line) },
  );
  return state;
}

/** The one log of the process (every loaded copy of this module shares it). */
const state = processSlot("log", createLog);

export const log: Logger = state.logger;

/** Runs `fn` as the serving of one agent request on `route`: every line it logs, however deep, carries the request's fields. */
export function runWithRequestLog<T>(route: string, fn: () => T): T {
  const fields: RequestLog = { reqId: crypto.randomUUID(), route };
  const scope = requestScope();
  const store = scope.getStore();
  // Under the production listener the request has its store already (server/runtime/serve.ts):
  // the fields go there, without a scope of their own. Elsewhere (next dev, tests) a new one.
  if (store && !store.log) {
    store.log = fields;
    return fn();
  }
  return scope.run({ address: store?.address ?? "unknown", log: fields }, fn);
}

/** Adds to the fields of the request being served (the agent, the lane, the turn once its id is made); nothing outside one. */
export function noteRequestLog(fields: Partial<Omit<RequestLog, "reqId" | "route">>): void {
  const request = requestScope().getStore()?.log;
  if (request) Object.assign(request, fields);
}

/**
 * Runs `fn` outside any request: for work a request only starts (a timer, a batch serving many
 * requests), whose lines are not that request's.
 */
export function outsideRequestLog<T>(fn: () => T): T {
  return requestScope().exit(fn);
}

export type CapturedLogs = {
  /** The lines logged since capture began, parsed. */
  lines: Record<string, unknown>[];
  /** The same, as written (JSON text). */
  text(): string;
  /** Back to stderr and the level before. */
  stop(): void;
};

/** For tests: the lines logged from now on (at `level` and above), instead of stderr. */
export function captureLogs(level?: LogLevel): CapturedLogs {
  const previous = { sink: state.sink, level: state.logger.level };
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  state.sink = {
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  if (level) state.logger.level = level;
  return {
    lines,
    text: () => raw.join(""),
    stop: () => {
      state.sink = previous.sink;
      state.logger.level = previous.level;
    },
  };
}
