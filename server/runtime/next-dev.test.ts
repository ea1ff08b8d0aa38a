// `next dev` boots the server from Next's instrumentation alone, out of Turbopack's bundle (npm start
// boots it from server/runtime/serve.ts first): the embedded database's thread must start from there
// too. Turbopack once rewrote the thread's script path to a chunk name that no run-time path matched.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureBuilt, freePort } from "@/server/testing/start-server";

const root = path.resolve(import.meta.dirname, "..", "..");
fs.mkdirSync(path.join(root, ".test-data"), { recursive: true });
const dataDir = fs.mkdtempSync(path.join(root, ".test-data", "next-dev-"));
let stop = async () => {};

afterAll(async () => {
  await stop();
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

describe("next dev", () => {
  it("boots the server with the embedded database on its own thread and answers", async () => {
    // Not while a test's `next build` may be replacing .next.
    await ensureBuilt();
    const port = await freePort();
    // As a person runs it: no database URL or admin token of the test run's, and next dev's own
    // NODE_ENV, not vitest's "test" (with which next dev rewrites tsconfig.json).
    const leftOut = ["DATABASE_URL", "OFFLOAD_ADMIN_TOKEN", "OFFLOAD_EMBEDDED_DB_THREAD", "NODE_ENV"];
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !leftOut.includes(name))),
      NEXT_TELEMETRY_DISABLED: "1",
      OFFLOAD_DATA_DIR: dataDir,
      NODE_ENV: "development",
    };
    const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "dev", "-p", String(port)], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    stop = async () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        return;
      }
      await exited;
    };
    let logs = "";
    child.stdout.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (logs += chunk.toString("utf8")));

    // Instrumentation boots the server at start; the ready line (or a fatal one) says how it went.
    const deadline = Date.now() + 240_000;
    while (!/"msg":"ready on /.test(logs) && !/"level":"fatal"/.test(logs) && Date.now() < deadline) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(logs).not.toContain('"level":"fatal"');
    expect(logs).toMatch(/database: embedded, .*, on a thread of its own/);
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(res.status).toBe(200);
  }, 300_000);
});
