// The environment Offload reads, checked with zod. env() parses it on first use and keeps it (once per
// loaded copy of this module, never per request); every other module reads it there or is handed values.
import "server-only";
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

const envSchema = z.object({
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: "DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)",
  }),
  OFFLOAD_DATA_DIR: optionalString.transform((v) => v ?? "./.data"),
  OLLAMA_HOST: httpUrl("OLLAMA_HOST").transform((v) => v ?? "http://127.0.0.1:11434"),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: httpUrl("ANTHROPIC_BASE_URL"),
  OFFLOAD_ADMIN_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 12, {
    message: "OFFLOAD_ADMIN_TOKEN must be at least 12 characters",
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
    .pipe(z.enum(["on", "off"], { error: (issue) => `OFFLOAD_DEMO must be on or off, not "${String(issue.input)}"` })),
  /** Where prisma/migrations is found: bin/offload.mjs sets it for the CLI; unset, the working directory. */
  OFFLOAD_ROOT: optionalString.transform((v) => (v === undefined ? undefined : path.resolve(v))),
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

let cached: Env | undefined;

/** This process's environment, parsed on first use and then kept (the start command checked it already). */
export function env(): Env {
  return (cached ??= readEnv());
}

/** For tests that change process.env: the next env() parses it again. */
export function resetEnv(): void {
  cached = undefined;
}
