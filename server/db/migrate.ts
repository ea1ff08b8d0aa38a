// Applies the committed prisma/migrations/*/migration.sql in order, each in its own transaction,
// recorded in Prisma's own _prisma_migrations table (so `prisma migrate status` agrees), under
// an exclusive lock so that two processes starting together never apply one twice.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Db } from "./client";
import { env } from "@/server/process/env";

export type MigrationFile = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {
  override name = "MigrationError";
}

function defaultMigrationsDir(): string {
  return path.join(env().OFFLOAD_ROOT ?? process.cwd(), "prisma", "migrations");
}

export function readMigrationFiles(dir: string = defaultMigrationsDir()): MigrationFile[] {
  if (!fs.existsSync(/*turbopackIgnore: true*/ dir)) throw new MigrationError(`no migrations folder at ${dir}`);
  return fs
    .readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(/*turbopackIgnore: true*/ path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export type MigrationReport = { applied: string[]; alreadyApplied: string[]; warnings: string[] };

export async function applyMigrations(db: Db, files: MigrationFile[] = readMigrationFiles()): Promise<MigrationReport> {
  return db.sql.withExclusiveLock(async (conn) => {
    await conn.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await conn.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `select migration_name, checksum, finished_at from "_prisma_migrations" where rolled_back_at is null`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const report: MigrationReport = { applied: [], alreadyApplied: [], warnings: [] };
    for (const file of files) {
      const previous = done.get(file.name);
      if (previous?.finished_at) {
        report.alreadyApplied.push(file.name);
        if (previous.checksum !== file.checksum) {
          report.warnings.push(
            `migration ${file.name} was edited after it was applied; the database keeps the applied version`,
          );
        }
        continue;
      }
      if (previous) {
        throw new MigrationError(
          `migration ${file.name} is recorded as started but not finished; resolve it by hand (see _prisma_migrations)`,
        );
      }
      try {
        await conn.transaction(async (tx) => {
          await tx.exec(file.sql);
          await tx.query(
            `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             values ($1, $2, now(), $3, now(), 1)`,
            [crypto.randomUUID(), file.checksum, file.name],
          );
        });
      } catch (err) {
        throw new MigrationError(`migration ${file.name} failed and was rolled back: ${(err as Error).message}`);
      }
      report.applied.push(file.name);
    }
    return report;
  });
}
