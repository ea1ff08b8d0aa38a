// `npm run test:clients`: the end-to-end suite that drives the real clients (Claude Code, OpenClaw)
// against `npm start`. Installs them first (global setup) into a cache outside the tree; one file
// at a time, with long timeouts: each case starts real processes.
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["e2e/clients/**/*.test.ts"],
    globalSetup: ["e2e/clients/global-setup.ts"],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
  },
});
