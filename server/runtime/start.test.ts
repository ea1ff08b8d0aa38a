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

  it("refuses to listen beyond loopback without an admin token, in one line naming the variable", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20"]) {
      const result = await start({ OFFLOAD_HOST: host, OFFLOAD_ADMIN_TOKEN: undefined });
      expect(result.code).toBe(2);
      expect(errorLines(result.stderr)).toEqual([
        `offload: OFFLOAD_HOST=${host} would open the dashboard and admin API to the network without a password: ` +
          `set OFFLOAD_ADMIN_TOKEN (at least 12 characters) too, or leave OFFLOAD_HOST unset to listen on 127.0.0.1 only`,
      ]);
    }
    const bad = await start({ OFFLOAD_HOST: "http://example" });
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr)).toEqual([
      "offload: OFFLOAD_HOST must be an IP address or host name to listen on, such as 127.0.0.1, 0.0.0.0 or ::",
    ]);
  });

  it("makes the data folder owner-only before anything else, and says so", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "offload-start-"));
    dirs.push(root);
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(path.join(root, "pglite"));
    fs.chmodSync(path.join(root, "pglite"), 0o777);
    fs.writeFileSync(path.join(root, "pglite", "PG_VERSION"), "99\n");
    fs.chmodSync(path.join(root, "pglite", "PG_VERSION"), 0o666);
    // A foreign database folder still stops the start (after its modes were fixed).
    const result = await start({ OFFLOAD_DATA_DIR: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`offload: made 3 entries of the data folder ${root} private to its owner`);
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, "pglite")).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(root, "pglite", "PG_VERSION")).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(root, "pglite", "PG_VERSION"), "utf8")).toBe("99\n");
  });

  it("names a bad variable and exits 2", async () => {
    const result = await start({ PORT: "99999" });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual(["offload: PORT must be a port number (1-65535)"]);
  });
});
