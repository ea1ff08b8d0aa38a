// Small helpers the CLI's commands share: argument parsing with usage errors, tables, admin connections.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { connectAdmin, type AdminConnection } from "./cli-transport";
import type { Env } from "@/server/process/env";

/** A mistake in how the command was called: exit code 2 and the usage text. */
export class UsageError extends Error {}

export function parse(args: string[], options: ParseArgsConfig["options"] = {}) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Left-aligned columns, or right-aligned where `right` says so. */
export function table(rows: string[][], right: readonly number[] = []): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export async function withAdmin<T>(env: Env, fn: (conn: AdminConnection) => Promise<T>): Promise<T> {
  const conn = await connectAdmin(env);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
