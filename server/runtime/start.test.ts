// `npm start` refuses a bad environment or database with one clear line, before building anything.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runTs } from "@/server/testing/run-node";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const start = (env: Record<string, string | undefined>) =>
  runTs("server/runtime/start.ts", [], { DATABASE_URL: undefined, ...env }, 60_000);

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.trim() !== "" && !l.includes("npm warn"));
}

describe("npm start", () => {
  it("exits with one line naming the host when DATABASE_URL does not answer", async () => {
    const result = await start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/offload" });
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^offload: cannot reach the database at 127\.0\.0\.1:1\/offload/);
    expect(result.stderr).not.toContain("    at ");
  });

  it("exits with one line naming the folder when the embedded database folder is not PGlite's", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "offload-start-"));
    dirs.push(root);
    fs.mkdirSync(path.join(root, "pglite"));
    fs.writeFileSync(path.join(root, "pglite", "PG_VERSION"), "99\n");
    const result = await start({ OFFLOAD_DATA_DIR: root });
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(path.join(root, "pglite"));
    expect(fs.readFileSync(path.join(root, "pglite", "PG_VERSION"), "utf8")).toBe("99\n");
  });

  it("names a bad variable and exits 2", async () => {
    const result = await start({ PORT: "99999" });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual(["offload: PORT must be a port number (1-65535)"]);
  });
});
