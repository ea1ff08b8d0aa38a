// The environment Offload reads, checked with zod. env() parses it on first use and keeps it (once per
// loaded copy of this module, never per request); every other module reads it there or is handed values.
import "server-only";
import net from "node:net";
import path from "node:path";
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const httpUrl = (field: string) =>
  optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v), {
    message: `${field} must be an http(s) URL such as http://127.0.0.1:11434`,
  });

/** A host name as DNS spells it (letters, digits, hyphens, dots). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** An address or name without IPv6 brackets, lower case. */
function bareHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}

function isHostOrAddress(host: string): boolean {
  const h = bareHost(host);
  return net.isIP(h) !== 0 || HOST_NAME.test(h);
}

/** Whether binding `host` keeps the server to this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = bareHost(host).replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return !!mapped && mapped[1]!.startsWith("127.");
}

/** The levels OFFLOAD_LOG_LEVEL takes, most severe first (pino's). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const logLevel = optionalString
  .transform((v) => v?.toLowerCase() ?? "info")
  .pipe(
    z.enum(LOG_LEVELS, {
      error: (issue) => `OFFLOAD_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${String(issue.input)}"`,
    }),
  );

const logFormat = optionalString
  .transform((v) => v?.toLowerCase())
  .pipe(
    z
      .enum(["json", "pretty"], {
        error: (issue) => `OFFLOAD_LOG_FORMAT must be json or pretty, not "${String(issue.input)}"`,
      })
      .optional(),
  );

const envSchema = z
  .object({
    DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: "DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)",
    }),
    OFFLOAD_DATA_DIR: optionalString.transform((v) => v ?? "./.data"),
    OLLAMA_HOST: httpUrl("OLLAMA_HOST").transform((v) => v ?? "http://127.0.0.1:11434"),
    /** A pool of Ollama servers, comma-separated URLs; when set it replaces OLLAMA_HOST (the ollamaHosts setting replaces both). */
    OLLAMA_HOSTS: optionalString
      .transform((v) =>
        (v ?? "")
          .split(",")
          .map((h) => h.trim().replace(/\/+$/, ""))
          .filter((h) => h !== ""),
      )
      .refine((hosts) => hosts.every((h) => /^https?:\/\/[^\s/]+/.test(h)), {
        message: "OLLAMA_HOSTS must be http(s) URLs separated by commas, such as http://gpu1:11434,http://gpu2:11434",
      })
      .refine((hosts) => new Set(hosts).size === hosts.length, { message: "OLLAMA_HOSTS names a host twice" }),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: httpUrl("ANTHROPIC_BASE_URL"),
    OFFLOAD_ADMIN_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 12, {
      message: "OFFLOAD_ADMIN_TOKEN must be at least 12 characters",
    }),
    /** A token that reads GET /metrics and nothing else (Prometheus's bearer_token), at least 12 characters. */
    OFFLOAD_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 12, {
      message: "OFFLOAD_METRICS_TOKEN must be at least 12 characters",
    }),
    /** The interface to listen on. Unset: 127.0.0.1 without an admin token, every interface with one. */
    OFFLOAD_HOST: optionalString
      .refine((v) => v === undefined || isHostOrAddress(v), {
        message: "OFFLOAD_HOST must be an IP address or host name to listen on, such as 127.0.0.1, 0.0.0.0 or ::",
      })
      .transform((v) => (v === undefined ? undefined : bareHost(v))),
    /** More names the server answers to (the Host header), comma-separated, beside localhost and the bound address. */
    OFFLOAD_ALLOWED_HOSTS: optionalString
      .transform((v) =>
        (v ?? "")
          .split(",")
          .map((h) => bareHost(h).replace(/\.$/, ""))
          .filter((h) => h !== ""),
      )
      .refine((hosts) => hosts.every(isHostOrAddress), {
        message: "OFFLOAD_ALLOWED_HOSTS must be host names or addresses separated by commas, without ports or schemes",
      }),
    /** How long a dashboard sign-in lasts, hours. */
    OFFLOAD_SESSION_HOURS: optionalString
      .transform((v) => (v === undefined ? 12 : Number(v)))
      .refine((n) => Number.isFinite(n) && n > 0 && n <= 720, {
        message: "OFFLOAD_SESSION_HOURS must be a number of hours from 0 (excluded) to 720",
      }),
    OFFLOAD_HEALTH_INTERVAL_S: optionalString
      .transform((v) => (v === undefined ? 15 : Number(v)))
      .refine((n) => Number.isFinite(n) && n >= 1 && n <= 3600, {
        message: "OFFLOAD_HEALTH_INTERVAL_S must be a number of seconds from 1 to 3600",
      }),
    PORT: optionalString
      .transform((v) => (v === undefined ? 3000 : Number(v)))
      .refine((n) => Number.isInteger(n) && n > 0 && n < 65536, { message: "PORT must be a port number (1-65535)" }),
    /** `off`: a new database gets no demo fleet. */
    OFFLOAD_DEMO: optionalString
      .transform((v) => v ?? "on")
      .pipe(
        z.enum(["on", "off"], { error: (issue) => `OFFLOAD_DEMO must be on or off, not "${String(issue.input)}"` }),
      ),
    /** The turn spool (gateway/turn-spool.ts): `fsync` each group (default), only `write` it, or `off` (memory only). */
    OFFLOAD_TURN_SPOOL: optionalString
      .transform((v) => v ?? "fsync")
      .pipe(
        z.enum(["fsync", "write", "off"], {
          error: (issue) => `OFFLOAD_TURN_SPOOL must be fsync, write or off, not "${String(issue.input)}"`,
        }),
      ),
    /**
     * Where the server runs the embedded database (db/pglite-thread.ts): on a `worker` thread of its
     * own (default), or on the `main` thread that also answers the agents. No effect with DATABASE_URL.
     */
    OFFLOAD_EMBEDDED_DB_THREAD: optionalString
      .transform((v) => v ?? "worker")
      .pipe(
        z.enum(["worker", "main"], {
          error: (issue) => `OFFLOAD_EMBEDDED_DB_THREAD must be worker or main, not "${String(issue.input)}"`,
        }),
      ),
    /** The lowest level the server logs (server/process/log.ts); `silent` logs nothing. */
    OFFLOAD_LOG_LEVEL: logLevel,
    /** `json` (one object a line) or `pretty` (a line a person reads); unset: pretty on a terminal, else JSON. */
    OFFLOAD_LOG_FORMAT: logFormat,
    /** Where prisma/migrations is found: bin/offload.mjs sets it for the CLI; unset, the working directory. */
    OFFLOAD_ROOT: optionalString.transform((v) => (v === undefined ? undefined : path.resolve(v))),
  })
  .superRefine((env, ctx) => {
    // Closed by default: without an admin token the dashboard and admin API have no password, so
    // they may only be reachable from this machine.
    if (env.OFFLOAD_HOST !== undefined && !isLoopbackHost(env.OFFLOAD_HOST) && !env.OFFLOAD_ADMIN_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["OFFLOAD_HOST"],
        message:
          `OFFLOAD_HOST=${env.OFFLOAD_HOST} would open the dashboard and admin API to the network without a password: ` +
          `set OFFLOAD_ADMIN_TOKEN (at least 12 characters) too, or leave OFFLOAD_HOST unset to listen on 127.0.0.1 only`,
      });
    }
  });

export type Env = z.output<typeof envSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Reads and checks the environment; throws EnvError naming the first bad variable. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".");
    throw new EnvError(issue.message.includes(field) ? issue.message : `${field}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The log settings alone, for the logger, which must work before (and whether or not) the whole
 * environment checks out: a bad value falls back to the default here (info; the format by
 * terminal), and readEnv() is what reports it.
 */
export function readLogSettings(source: Record<string, string | undefined> = process.env): {
  level: LogLevel;
  format: "json" | "pretty" | undefined;
} {
  return {
    level: logLevel.safeParse(source.OFFLOAD_LOG_LEVEL).data ?? "info",
    format: logFormat.safeParse(source.OFFLOAD_LOG_FORMAT).data,
  };
}

/** Where the server listens, as listen() takes it and as people read it. */
export type ListenAddress = {
  /** For server.listen: undefined means every interface (IPv6 and IPv4). */
  host: string | undefined;
  /** Only this machine can connect. */
  loopbackOnly: boolean;
  /** How to reach it from this machine (the CLI's contact file, the banner). */
  localUrl: string;
  /** "127.0.0.1", "every interface", ... for the banner. */
  where: string;
};

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

function urlHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** The interface the server binds: OFFLOAD_HOST, else loopback without an admin token and every interface with one. */
export function listenAddress(env: Pick<Env, "OFFLOAD_HOST" | "OFFLOAD_ADMIN_TOKEN" | "PORT">): ListenAddress {
  const host = env.OFFLOAD_HOST ?? (env.OFFLOAD_ADMIN_TOKEN ? undefined : "127.0.0.1");
  if (host === undefined || WILDCARDS.has(host)) {
    const local = host === "::" || host === "0:0:0:0:0:0:0:0" ? "[::1]" : "127.0.0.1";
    return {
      host,
      loopbackOnly: false,
      localUrl: `http://${local}:${env.PORT}`,
      where:
        host === undefined ? `every interface, port ${env.PORT}` : `${urlHost(host)}:${env.PORT} (every interface)`,
    };
  }
  return {
    host,
    loopbackOnly: isLoopbackHost(host),
    localUrl: `http://${urlHost(host)}:${env.PORT}`,
    where: `${urlHost(host)}:${env.PORT}`,
  };
}

/** One line for the start banner: where Offload listens and whether its dashboard needs a sign-in. */
export function describeExposure(env: Pick<Env, "OFFLOAD_HOST" | "OFFLOAD_ADMIN_TOKEN" | "PORT">): string {
  const listen = listenAddress(env);
  if (env.OFFLOAD_ADMIN_TOKEN)
    return `listening on ${listen.where}; the dashboard and admin API are protected by OFFLOAD_ADMIN_TOKEN (sign in at ${listen.localUrl}/login)`;
  return (
    `listening on ${listen.where} only (this machine); the dashboard is open without a sign-in because OFFLOAD_ADMIN_TOKEN is not set. ` +
    `To serve other machines set OFFLOAD_ADMIN_TOKEN and OFFLOAD_HOST`
  );
}

let cached: Env | undefined;

/** This process's environment, parsed on first use and then kept (the start command checked it already). */
export function env(): Env {
  return (cached ??= readEnv());
}

/** For tests that change process.env: the next env() parses it again. */
export function resetEnv(): void {
  cached = undefined;
}
